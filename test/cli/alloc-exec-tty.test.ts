import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Allocation } from '../../src/structs/index.js';
import type { ExecCluster } from '../client/exec-harness.js';
import { runningSleeper, startExecCluster } from '../client/exec-harness.js';
import { eventually, KILN_BIN } from '../support/agent-process.js';

// `kiln alloc exec` in a real terminal (node-pty): -t is on by default, the
// terminal goes raw, its size and SIGWINCH resizes become tty_size frames,
// and ~. at the start of a line ends the session.

let cluster: ExecCluster;
let alloc: Allocation;
const sizes: string[] = [];
before(async () => {
  cluster = await startExecCluster('shared', sizes);
  alloc = await runningSleeper(cluster.base, 'exec-tty');
});
after(async () => cluster?.close());

async function inTerminal(args: string[]) {
  const pty = await import('node-pty');
  const term = pty.spawn(process.execPath, [KILN_BIN, ...args], { cols: 90, rows: 25, env: { ...process.env, KILN_ADDR: cluster.base } as Record<string, string> });
  let out = '';
  term.onData((d) => (out += d));
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  return { term, out: () => out, exited };
}

test('an interactive shell: typed input, resizes and the exit code', async () => {
  const { term, out, exited } = await inTerminal(['alloc', 'exec', alloc.ID, '/bin/sh']);
  try {
    await eventually(() => sizes.includes('90x25') || undefined, 20_000, 'the initial terminal size');
    term.write('echo hi-$((40+2))\r');
    await eventually(() => out().includes('hi-42') || undefined, 20_000, 'shell output');
    term.resize(100, 30);
    await eventually(() => sizes.includes('100x30') || undefined, 20_000, 'the SIGWINCH resize');
    term.write('exit 3\r');
    assert.equal(await exited, 3);
  } finally {
    term.kill();
  }
});

test('~. at the start of a line ends the session', async () => {
  const { term, out, exited } = await inTerminal(['alloc', 'exec', alloc.ID, '/bin/sh']);
  try {
    term.write('echo ready\r');
    await eventually(() => out().includes('ready') || undefined, 20_000, 'shell output');
    term.write('~.');
    assert.equal(await exited, 0);
  } finally {
    term.kill();
  }
});
