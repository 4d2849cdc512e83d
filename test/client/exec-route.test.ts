import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Allocation } from '../../src/structs/index.js';
import { eventually } from '../support/agent-process.js';
import type { ExecCluster } from './exec-harness.js';
import { b64, execWsUrl, runningSleeper, startExecCluster, wsExec } from './exec-harness.js';

// Nomad's exec websocket against a real client agent running a raw_exec task,
// with the client routes on the server's listener as in `kiln agent -dev`.

let cluster: ExecCluster;
let alloc: Allocation;
before(async () => {
  cluster = await startExecCluster('shared');
  alloc = await runningSleeper(cluster.base, 'exec-ws');
});
after(async () => cluster?.close());

const url = (command: string[], tty = false, allocId = alloc.ID, task = 'server'): string => execWsUrl(cluster.nodeHttpAddr, allocId, task, command, tty);

test('a command runs beside the task: stdout, stderr and the exit code arrive as frames', async () => {
  const t = await wsExec(url(['/bin/sh', '-c', 'echo out; echo err >&2; exit 3']), async (send) => send({ stdin: { close: true } }));
  assert.equal(t.stdout, 'out\n');
  assert.equal(t.stderr, 'err\n');
  assert.equal(t.exitCode, 3);
  assert.equal(t.closeCode, 1000);
});

test('stdin frames reach the command; the close frame ends its input', async () => {
  const t = await wsExec(url(['/bin/cat']), async (send) => {
    send({ stdin: { data: b64('one\n') } });
    send({});
    send({ stdin: { data: b64('two\n') } });
    send({ stdin: { close: true } });
  });
  assert.equal(t.stdout, 'one\ntwo\n');
  assert.equal(t.exitCode, 0);
});

test('tty=true gives an interactive shell that accepts resize frames', async () => {
  const t = await wsExec(url(['/bin/sh'], true), async (send, seen) => {
    send({ tty_size: { height: 40, width: 120 } });
    send({ stdin: { data: b64('echo hi-$((40+2))\n') } });
    await eventually(() => seen().stdout.includes('hi-42') || undefined, 20_000, 'shell output');
    send({ tty_size: { height: 30, width: 100 } });
    send({ stdin: { data: b64('exit 4\n') } });
  });
  assert.match(t.stdout, /hi-42/);
  assert.equal(t.exitCode, 4);
});

test('an unknown allocation is a 404 before the upgrade; a bad command a 400', async () => {
  await assert.rejects(wsExec(url(['/bin/true'], false, 'ffffffff-0000-0000-0000-000000000000'), async () => undefined), /HTTP 404/);
  await assert.rejects(wsExec(`ws://${cluster.nodeHttpAddr}/v1/client/allocation/${alloc.ID}/exec?task=server&command=/bin/sh`, async () => undefined), /HTTP 400/);
  await assert.rejects(wsExec(`ws://${cluster.nodeHttpAddr}/v1/client/allocation/${alloc.ID}/exec?command=["/bin/sh"]`, async () => undefined), /HTTP 400/);
});

test('an unknown task is an error frame and a 4xxx close', async () => {
  const t = await wsExec(url(['/bin/true'], false, alloc.ID, 'nope'), async () => undefined);
  assert.equal(t.exitCode, undefined);
  assert.equal(t.error?.code, 'NOT_FOUND');
  assert.match(t.error?.message ?? '', /nope/);
  assert.equal(t.closeCode, 4404);
});

test('a missing program is reported as an error frame, not an exit', async () => {
  const t = await wsExec(url(['/no/such/program']), async (send) => send({ stdin: { close: true } }));
  assert.equal(t.exitCode, undefined);
  assert.ok(t.error, 'error frame sent');
  assert.match(t.error.message, /no\/such\/program/);
});

test('all output arrives before the exited frame', async () => {
  const t = await wsExec(url(['/bin/sh', '-c', 'seq 1 50000; exit 6']), async (send) => send({ stdin: { close: true } }));
  const lines = t.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 50000);
  assert.equal(lines.at(-1), '50000');
  assert.equal(t.exitCode, 6);
});

test('closing the websocket kills the command', async () => {
  let pid = 0;
  const t = await wsExec(url(['/bin/sh', '-c', 'echo $$; exec sleep 300']), async (send, seen, close) => {
    send({ stdin: { close: true } });
    pid = Number(await eventually(() => /^(\d+)\n/.exec(seen().stdout)?.[1], 20_000, 'the pid'));
    process.kill(pid, 0);
    close();
  });
  assert.equal(t.exitCode, undefined);
  await eventually(() => {
    try {
      process.kill(pid, 0);
      return undefined;
    } catch {
      return true;
    }
  }, 20_000, 'the command to be killed');
});
