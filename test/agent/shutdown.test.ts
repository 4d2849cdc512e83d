import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { eventually } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { alive, jobAllocs, killRecorded, nodes, pidOf, registerJob, sleeperJob } from './jobs.js';
import { clientHcl, soloServerHcl, startConfigAgent, testJailNet, writeConfig, type ConfigAgent } from './procs.js';

// SIGTERM, as systemd stops the unit: a client leaves its tasks running,
// unless `client { drain_on_shutdown = true }` moves them away first.

const tmp = tempDir('kiln-shutdown-');
after(tmp.cleanup);

test('SIGTERM: a drain_on_shutdown client moves its allocations to another node first; a default client leaves its tasks running', async () => {
  const pidDir = join(tmp.dir, 'pids');
  mkdirSync(pidDir);
  const nets = [testJailNet(join(tmp.dir, 'drainer'), 'ksd1', '10.234.0.0/16', 'KSD1'), testJailNet(join(tmp.dir, 'keeper'), 'ksd2', '10.235.0.0/16', 'KSD2')];
  const procs: ConfigAgent[] = [];
  const start = async (file: string) => {
    const p = await startConfigAgent(file);
    procs.push(p);
    return p;
  };
  try {
    const server = await start(writeConfig(tmp.dir, 'server', await soloServerHcl(tmp.dir, 'server')));
    const drainer = await start(writeConfig(tmp.dir, 'drainer', await clientHcl({ dir: tmp.dir, name: 'drainer', servers: [server.address], net: nets[0]!, extra: '  drain_on_shutdown = true\n' })));
    await eventually(async () => (await nodes(server.address)).find((n) => n.Name === 'drainer' && n.Status === 'ready'), 30_000, 'the draining client to register');
    // Placed while the draining client is the only node, so both allocations are there.
    const job = sleeperJob('moving', { count: 2, pidDir });
    (job.TaskGroups as Record<string, unknown>[])[0]!.Migrate = { MaxParallel: 2, HealthCheck: 'task_states', MinHealthyTime: 1e9, HealthyDeadline: 60e9 };
    await registerJob(server.address, job);
    const first = await eventually(async () => {
      const allocs = await jobAllocs(server.address, 'moving');
      return allocs.filter((a) => a.ClientStatus === 'running').length === 2 ? allocs : undefined;
    }, 30_000, 'two allocations running on the draining client');
    const firstPids = await Promise.all(first.map((a) => eventually(() => pidOf(pidDir, a.ID), 10_000, 'a task pid')));

    const keeper = await start(writeConfig(tmp.dir, 'keeper', await clientHcl({ dir: tmp.dir, name: 'keeper', servers: [server.address], net: nets[1]! })));
    const keeperId = await eventually(async () => (await nodes(server.address)).find((n) => n.Name === 'keeper' && n.Status === 'ready')?.ID, 30_000, 'the second client to register');

    assert.equal(await drainer.terminate(), 0, `the draining client exits cleanly\n${drainer.output().slice(-2000)}`);
    assert.match(drainer.output(), /node drained: every allocation has stopped/);
    for (const pid of firstPids) assert.equal(alive(pid), false, 'its tasks were stopped by the drain');
    const moved = await eventually(async () => {
      const running = (await jobAllocs(server.address, 'moving')).filter((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run');
      return running.length === 2 && running.every((a) => a.NodeID === keeperId) ? running : undefined;
    }, 30_000, 'both allocations running on the other client');
    const movedPids = await Promise.all(moved.map((a) => eventually(() => pidOf(pidDir, a.ID), 10_000, 'a replacement pid')));

    assert.equal(await keeper.terminate(), 0, keeper.output().slice(-2000));
    for (const pid of movedPids) assert.ok(alive(pid), 'a client without drain_on_shutdown leaves its tasks running');
  } finally {
    for (const p of procs.reverse()) await p.kill9();
    killRecorded(pidDir);
    for (const n of nets) await n.remove().catch(() => undefined);
  }
});
