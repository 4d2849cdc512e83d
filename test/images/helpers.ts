/** Test fixtures: temp dirs, a real registry on 127.0.0.1:0, images written with real xz. */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { RegistryAgent, registryFilesDir } from '../../src/registry/index.js';
import { addEntry, writeTarXz, type TarEntry } from '../../src/images/build/pack.js';
import { formatDigestFile, sha256 } from '../../src/images/digest.js';
import { signDigestText } from '../../src/images/signature.js';
import type { ImageMeta } from '../../src/images/index.js';

export function tempDir(prefix = 'kiln-img-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestRegistry {
  agent: RegistryAgent;
  dataDir: string;
  url: string;
  /** Requests seen: method, url, range header, status. */
  requests: { method: string; url: string; range?: string; status?: number }[];
  close: () => Promise<void>;
}

export async function startRegistry(opts: { pushToken?: string } = {}): Promise<TestRegistry> {
  const dir = tempDir('kiln-reg-');
  const agent = await RegistryAgent.create({ dataDir: dir.path, port: 0, pushToken: opts.pushToken });
  const requests: TestRegistry['requests'] = [];
  agent.app.addHook('onResponse', async (req, reply) => {
    requests.push({ method: req.method, url: req.url, range: req.headers.range, status: reply.statusCode });
  });
  await agent.start();
  return {
    agent,
    dataDir: dir.path,
    url: agent.url,
    requests,
    close: async () => {
      await agent.stop();
      dir.cleanup();
    },
  };
}

export const file = (name: string, content: string, mode = 0o644): TarEntry => ({ header: { name, type: 'file', mode, size: Buffer.byteLength(content) }, content });
export const dir = (name: string, mode = 0o755): TarEntry => ({ header: { name, type: 'directory', mode } });

export async function writeImage(out: string, entries: TarEntry[]): Promise<{ digest: string; bytes: number }> {
  return writeTarXz(out, async (p) => {
    for (const e of entries) await addEntry(p, e);
  }, 0);
}

export interface PublishOpts {
  meta?: ImageMeta;
  signWith?: KeyObject;
  /** Write this digest instead of the real one. */
  wrongDigest?: boolean;
}

/** Publish `<path>/<pot>_<tag>.xz` (+ sidecars) straight into a registry's data dir. */
export async function publish(reg: TestRegistry, path: string, pot: string, tag: string, entries: TarEntry[], opts: PublishOpts = {}): Promise<{ digest: string; xz: string }> {
  const dirPath = join(registryFilesDir(reg.dataDir), path);
  await mkdir(dirPath, { recursive: true });
  const name = `${pot}_${tag}.xz`;
  const xz = join(dirPath, name);
  const { digest } = await writeImage(xz, entries);
  const metaText = opts.meta ? JSON.stringify(opts.meta) : undefined;
  if (metaText) await writeFile(`${xz}.meta`, metaText);
  const digestText = formatDigestFile(name, opts.wrongDigest ? sha256('not the image') : digest, metaText ? sha256(metaText) : undefined);
  if (opts.signWith) await writeFile(`${xz}.sig`, signDigestText(digestText, opts.signWith));
  await writeFile(`${xz}.sha256`, digestText);
  return { digest, xz };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const a = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  return typeof a === 'object' && a ? a.port : 1;
}

export const FAST_RETRY = { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 };
