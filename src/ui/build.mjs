#!/usr/bin/env node
/* global console */
// Builds the three web UIs with Vite into dist/ui/{nomad,catalog,ingress}/ (relative asset paths,
// so each can be mounted under any prefix) and prints each bundle's gzip size.
// The terminal chunk (xterm.js, loaded only when Exec opens) is reported separately.
import { build } from 'vite';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const APPS = ['nomad', 'catalog', 'ingress'];

function files(dir) {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

const sizes = {};
for (const app of APPS) {
  const outDir = join(repo, 'dist', 'ui', app);
  await build({
    root: join(here, app),
    base: './',
    logLevel: 'warn',
    configFile: false,
    build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 600 },
  });
  const report = { main: 0, terminal: 0 };
  for (const f of files(outDir)) {
    if (!/\.(js|css|html)$/.test(f)) continue;
    const gz = gzipSync(readFileSync(f)).length;
    if (/exec-|xterm/.test(f)) report.terminal += gz;
    else report.main += gz;
  }
  sizes[app] = report;
}
writeFileSync(join(repo, 'dist', 'ui', 'sizes.json'), JSON.stringify(sizes, null, 2) + '\n');
console.log('web UI bundles (gzip): ' + APPS.map((a) => `${a} ${(sizes[a].main / 1024).toFixed(1)} kB${sizes[a].terminal ? ` + terminal ${(sizes[a].terminal / 1024).toFixed(1)} kB (lazy)` : ''}`).join(', '));
