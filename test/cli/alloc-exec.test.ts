import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { Allocation } from '../../src/structs/index.js';
import type { ExecCluster } from '../client/exec-harness.js';
import { b64, execWsUrl, runningSleeper, startExecCluster, wsExec } from '../client/exec-harness.js';
import type { KilnResult } from '../support/agent-process.js';
import { KILN_BIN, kiln } from '../support/agent-process.js';

// `kiln alloc exec` as a real process against a real server and client
// running a raw_exec task: in one listener (dev mode) and split, where the
// server proxies the websocket to the client's own listener.

let shared: ExecCluster;
let split: ExecCluster;
let sharedAlloc: Allocation;
let splitAlloc: Allocation;
before(async () => {
  [shared, split] = await Promise.all([startExecCluster('shared'), startExecCluster('split')]);
  [sharedAlloc, splitAlloc] = await Promise.all([runningSleeper(shared.base, 'exec-cli'), runningSleeper(split.base, 'exec-split')]);
});
after(async () => Promise.all([shared?.close(), split?.close()]));

/** Run kiln with `input` piped to its stdin. */
function kilnWithInput(address: string, args: string[], input: string): Promise<KilnResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KILN_BIN, ...args], { env: { ...process.env, KILN_ADDR: address }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

test('prints the command output and exits 0', async () => {
  const r = await kiln(shared.base, ['alloc', 'exec', sharedAlloc.ID.slice(0, 8), '/bin/echo', 'hi']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'hi\n');
  assert.equal(r.code, 0);
});

test("the command's exit code is the CLI's exit code", async () => {
  const r = await kiln(shared.base, ['alloc', 'exec', sharedAlloc.ID, '/bin/sh', '-c', 'echo to-stderr >&2; exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stderr, 'to-stderr\n');
});

test("flags after the allocation belong to the command, not to kiln", async () => {
  const r = await kiln(shared.base, ['alloc', 'exec', '-task', 'server', sharedAlloc.ID, '/bin/echo', '-t', '-la', '-address', 'x']);
  assert.equal(r.stdout, '-t -la -address x\n');
  assert.equal(r.code, 0);
});

test('stdin is piped to the command; -i=false does not read it', async () => {
  const piped = await kilnWithInput(shared.base, ['alloc', 'exec', sharedAlloc.ID, '/bin/cat'], 'line one\nline two\n');
  assert.equal(piped.stdout, 'line one\nline two\n');
  assert.equal(piped.code, 0);
  const closed = await kilnWithInput(shared.base, ['alloc', 'exec', '-i=false', sharedAlloc.ID, '/bin/cat'], 'ignored\n');
  assert.equal(closed.stdout, '');
  assert.equal(closed.code, 0);
});

test('-t gives the command a terminal even with piped stdin', async () => {
  const r = await kilnWithInput(shared.base, ['alloc', 'exec', '-t', sharedAlloc.ID, '/bin/sh', '-c', 'test -t 0 && echo is-a-tty; exit 5'], '');
  assert.match(r.stdout, /is-a-tty/);
  assert.equal(r.code, 5);
});

test('unknown allocations and tasks are clear errors with exit code 1', async () => {
  const noAlloc = await kiln(shared.base, ['alloc', 'exec', 'ffffffff', '/bin/true']);
  assert.equal(noAlloc.code, 1);
  assert.match(noAlloc.stderr, /^Error: .*allocation "ffffffff" not found/);
  const noTask = await kiln(shared.base, ['alloc', 'exec', '-task', 'nope', sharedAlloc.ID, '/bin/true']);
  assert.equal(noTask.code, 1);
  assert.match(noTask.stderr, /^Error: .*no task "nope"/);
  const noCommand = await kiln(shared.base, ['alloc', 'exec', sharedAlloc.ID]);
  assert.notEqual(noCommand.code, 0);
  assert.match(noCommand.stderr, /missing required argument 'command'/);
});

test('a server without a client role proxies the exec websocket to the node', async () => {
  assert.notEqual(split.nodeHttpAddr, new URL(split.base).host, 'the client has its own listener');
  const r = await kiln(split.base, ['alloc', 'exec', splitAlloc.ID, '/bin/sh', '-c', 'echo through-the-proxy; exit 7']);
  assert.equal(r.stdout, 'through-the-proxy\n');
  assert.equal(r.code, 7);
  const piped = await kilnWithInput(split.base, ['alloc', 'exec', splitAlloc.ID, '/bin/cat'], 'relayed\n');
  assert.equal(piped.stdout, 'relayed\n');

  const viaServer = (task: string): string => execWsUrl(new URL(split.base).host, splitAlloc.ID, task, ['/bin/true'], false);
  const errorFrame = await wsExec(viaServer('nope'), async () => undefined);
  assert.equal(errorFrame.error?.code, 'NOT_FOUND', 'the node error frame is relayed');
  assert.equal(errorFrame.closeCode, 4404, 'and its close code');
  await assert.rejects(wsExec(execWsUrl(new URL(split.base).host, 'ffffffff', 'server', ['/bin/true'], false), async () => undefined), /HTTP 404/);
  const echoed = await wsExec(execWsUrl(new URL(split.base).host, splitAlloc.ID, 'server', ['/bin/cat'], false), async (send) => {
    send({ stdin: { data: b64('early frames are buffered until the node answers\n') } });
    send({ stdin: { close: true } });
  });
  assert.equal(echoed.stdout, 'early frames are buffered until the node answers\n');
  assert.equal(echoed.exitCode, 0);
});
