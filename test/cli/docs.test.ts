import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderCliDocs } from '../../src/cli/docs.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { FLAGS, flagHelp } from '../../src/cli/flags.js';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from './capture.js';

// dist/test/cli/ → repository root
const docsPath = new URL('../../../docs/cli.md', import.meta.url);

test('docs/cli.md is up to date with the command and flag tables', () => {
  const onDisk = readFileSync(docsPath, 'utf8');
  assert.ok(onDisk === renderCliDocs(), 'docs/cli.md is stale: run `npm run build && node bin/kiln.js docs cli > docs/cli.md`');
});

test('every visible command and every flag it takes appears in the docs', () => {
  const doc = renderCliDocs();
  for (const def of COMMANDS.filter((c) => !c.hidden)) {
    assert.ok(doc.includes(`### \`kiln ${def.path.join(' ')}\``), `missing section for ${def.path.join(' ')}`);
    for (const f of def.flags) assert.ok(doc.includes(`\`-${f}`), `missing flag -${f} for ${def.path.join(' ')}`);
  }
});

test('command help is generated from the same flag table, in Nomad spelling', async () => {
  const io = captureIo();
  const code = await runCli(['alloc', 'logs', '-help'], io);
  assert.equal(code, 0);
  const help = io.stdoutText().replace(/\s+/g, ' ');
  for (const name of ['f', 'stderr', 'tail', 'n', 'c'] as const) {
    assert.ok(help.includes(flagHelp(FLAGS[name]).replace(/\s+/g, ' ')), `help lacks -${name}`);
  }
  assert.match(help, /-n <lines>/);
  assert.match(help, /-address <addr>/);
});
