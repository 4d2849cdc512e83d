import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { b64, execWsUrl, wsExec } from '../client/exec-harness.js';
import { eventually, KILN_BIN, kiln, startDevAgent, type AgentProcess, type KilnResult } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

// `kiln alloc exec` and the exec websocket against a real `kiln agent -dev`:
// a raw_exec task through the CLI and raw frames, then a shell in a pot jail
// (the article's nginx job) with a real terminal that resizes.

const ARTICLE_JOB = new URL('../../../examples/nginx.job', import.meta.url).pathname;
const tmp = tempDir('kiln-exec-e2e-');
// Its own jail network, so it can run beside other tests that start a stack.
const NET = { bridge: 'kilnexe0', subnet: '10.202.0.0/16', chains: 'KILNEXE', cgroup: '/kiln-exec-e2e' };
let agent: AgentProcess | undefined;
let address = '';
let rawAlloc = '';

after(async () => {
  if (agent && agent.child.exitCode === null) {
    await kiln(agent.address, ['job', 'stop', 'nginx-minipot']).catch(() => undefined);
    await agent.interrupt();
  }
  tmp.cleanup();
});

const allocsOf = async (job: string): Promise<string[]> => {
  const r = await kiln(address, ['job', 'allocs', '-verbose', job]);
  return r.stdout.split('\n').filter((l) => /\srunning\s/.test(l) && /\srun\s/.test(l)).map((l) => l.split(/\s+/)[0]!);
};

before(async () => {
  const config = join(tmp.dir, 'net.hcl');
  writeFileSync(config, `client {\n  jail_network {\n    bridge = "${NET.bridge}"\n    subnet = "${NET.subnet}"\n    chain_prefix = "${NET.chains}"\n    cgroup_parent = "${NET.cgroup}"\n  }\n}\n`);
  agent = await startDevAgent(join(tmp.dir, 'data'), ['-config', config]);
  address = agent.address;
  const jobFile = join(tmp.dir, 'sleeper.job');
  writeFileSync(
    jobFile,
    `job "sleeper" {\n  datacenters = ["minipot"]\n  group "g" {\n    task "main" {\n      driver = "raw_exec"\n      config {\n        command = "/bin/sleep"\n        args = ["600"]\n      }\n      resources {\n        cpu = 100\n        memory = 32\n      }\n    }\n  }\n}\n`,
  );
  const run = await kiln(address, ['job', 'run', jobFile], 120_000);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  rawAlloc = (await eventually(async () => (await allocsOf('sleeper'))[0], 30_000, 'the raw_exec allocation running'))!;
});

function kilnWithInput(args: string[], input: string): Promise<KilnResult> {
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

test('kiln alloc exec: output, exit codes and piped stdin through the dev agent', async () => {
  const hi = await kiln(address, ['alloc', 'exec', rawAlloc.slice(0, 8), '/bin/echo', 'hi']);
  assert.equal(hi.stdout, 'hi\n', hi.stderr);
  assert.equal(hi.code, 0);
  const three = await kiln(address, ['alloc', 'exec', rawAlloc, '/bin/sh', '-c', 'exit 3']);
  assert.equal(three.code, 3, three.stderr);
  const cat = await kilnWithInput(['alloc', 'exec', '-i', rawAlloc, 'cat'], 'piped\n');
  assert.equal(cat.stdout, 'piped\n');
  const unknown = await kiln(address, ['alloc', 'exec', 'ffffffff', '/bin/true']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /allocation "ffffffff" not found/);
});

test('the exec websocket on the dev agent: a TTY shell, a resize frame, the exited frame; 404 for an unknown allocation', async () => {
  const host = new URL(address).host;
  const t = await wsExec(execWsUrl(host, rawAlloc, 'main', ['/bin/sh'], true), async (send, seen) => {
    send({ tty_size: { height: 24, width: 80 } });
    send({ stdin: { data: b64('echo hi\n') } });
    await eventually(() => /\bhi\r?\n/.test(seen().stdout.replace('echo hi', '')) || undefined, 20_000, 'shell output');
    send({ stdin: { data: b64('exit 7\n') } });
  });
  assert.equal(t.exitCode, 7);
  await assert.rejects(wsExec(execWsUrl(host, 'ffffffff-1111-2222-3333-444444444444', 'main', ['/bin/true'], false), async () => undefined), /HTTP 404/);
});

test('a shell in a pot jail over the websocket: its terminal resizes', async () => {
  const jobFile = join(tmp.dir, 'nginx.job');
  writeFileSync(jobFile, readFileSync(ARTICLE_JOB, 'utf8'));
  const run = await kiln(address, ['job', 'run', jobFile], 180_000);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const jailAlloc = (await eventually(async () => (await allocsOf('nginx-minipot'))[0], 60_000, 'the jail running'))!;
  const t = await wsExec(execWsUrl(new URL(address).host, jailAlloc, 'www1', ['/bin/sh'], true), async (send, seen) => {
    send({ tty_size: { height: 33, width: 111 } });
    send({ stdin: { data: b64('stty size\n') } });
    await eventually(() => /33 111/.test(seen().stdout) || undefined, 20_000, 'the initial size inside the jail');
    send({ tty_size: { height: 44, width: 122 } });
    send({ stdin: { data: b64('stty size; exit 5\n') } });
  });
  assert.match(t.stdout, /44 122/);
  assert.equal(t.exitCode, 5);
  const cli = await kiln(address, ['alloc', 'exec', jailAlloc, '/bin/sh', '-c', 'echo in-jail; exit 4']);
  assert.equal(cli.stdout, 'in-jail\n', cli.stderr);
  assert.equal(cli.code, 4);
});
