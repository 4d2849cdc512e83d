import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KILN_BIN } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { eventually } from './harness.js';

/** Alive = the process exists and is not a zombie waiting for a reaper. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('the haproxy child dies with an agent killed by SIGKILL', async (t) => {
  const tmp = tempDir('kiln-haproxy-life-');
  t.after(() => tmp.cleanup());
  const config = join(tmp.dir, 'agent.hcl');
  // An ingress-only agent with the HAProxy engine; its catalog is unreachable, which it tolerates.
  writeFileSync(config, 'ingress {\n  enabled = true\n  http_port = 0\n  dashboard_port = 0\n  engine = "haproxy"\n  catalog_address = "http://127.0.0.1:1"\n}\n');
  const agent = spawn(process.execPath, [KILN_BIN, 'agent', '-config', config, '-data-dir', join(tmp.dir, 'data'), '-http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  agent.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  agent.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => agent.once('exit', () => r()));
  t.after(async () => {
    if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
    await exited;
  });
  await eventually(async () => /kiln agent started/.test(out) || agent.exitCode !== null);
  assert.equal(agent.exitCode, null, `agent exited:\n${out}`);
  const haproxy = await eventually(async () => {
    const children = readFileSync(`/proc/${agent.pid}/task/${agent.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return children.find((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'haproxy');
  }, 50);
  // The engine's temp dir (config, admin socket) cannot be removed by a killed agent: the test does it.
  const cfg = readFileSync(`/proc/${haproxy}/cmdline`, 'utf8').split('\0')[2]!;
  t.after(() => {
    if (alive(haproxy)) process.kill(haproxy, 'SIGKILL'); // only when the assertion below failed
    rmSync(dirname(cfg), { recursive: true, force: true });
  });
  assert.ok(existsSync(cfg), `haproxy config ${cfg}`);

  agent.kill('SIGKILL');
  await exited;
  for (let i = 0; i < 250 && alive(haproxy); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(haproxy), false, `haproxy ${haproxy} still runs 5 s after its agent was killed`);
});
