import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parsePrometheusText, sampleValue } from '../../src/metrics/index.js';
import { startEtcd } from '../support/etcd.js';
import { eventually } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { alive, jobAllocs, killRecorded, nodes, pidOf, registerJob, sleeperJob, stopJob } from './jobs.js';
import { clientHcl, serverHcl, startConfigAgent, testJailNet, writeConfig, type ConfigAgent } from './procs.js';

const tmp = tempDir('kiln-failover-');
after(tmp.cleanup);

// Short heartbeats and a short failover TTL, so a client that stopped reaching
// the servers would be declared down within a few seconds of this test.
const FAST = '  min_heartbeat_ttl = "1s"\n  heartbeat_grace = "2s"\n  failover_heartbeat_ttl = "3s"\n';

test('a client with two servers keeps heartbeating through the survivor, keeps its tasks with none, and re-syncs when one returns', async () => {
  const etcd = await startEtcd();
  const pidDir = join(tmp.dir, 'pids');
  mkdirSync(pidDir);
  const net = testJailNet(join(tmp.dir, 'c1'), 'kfo0', '10.231.0.0/16', 'KFO');
  const procs: ConfigAgent[] = [];
  const start = async (file: string) => {
    const p = await startConfigAgent(file);
    procs.push(p);
    return p;
  };
  try {
    const s1File = writeConfig(tmp.dir, 's1', await serverHcl(tmp.dir, 's1', etcd.endpoint, '/kiln-fo', FAST));
    const s1 = await start(s1File);
    const s2 = await start(writeConfig(tmp.dir, 's2', await serverHcl(tmp.dir, 's2', etcd.endpoint, '/kiln-fo', FAST)));
    // s1 first: the client talks to s1 until it fails.
    const client = await start(writeConfig(tmp.dir, 'c1', await clientHcl({ dir: tmp.dir, name: 'c1', servers: [s1.address, s2.address], net })));
    await eventually(async () => (await nodes(s2.address)).find((n) => n.Name === 'c1' && n.Status === 'ready'), 30_000, 'the client to register');

    await registerJob(s2.address, sleeperJob('before', { pidDir }));
    const first = await eventually(async () => (await jobAllocs(s2.address, 'before')).find((a) => a.ClientStatus === 'running'), 30_000, 'the first job running');
    const pid = await eventually(() => pidOf(pidDir, first.ID), 10_000, 'the task to record its pid');

    await s1.kill9();
    // Well past TTL + grace + the new leader's failover TTL: a client that lost touch would be down by now.
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const node = (await nodes(s2.address)).find((n) => n.Name === 'c1');
      assert.equal(node?.Status, 'ready', `the client stays ready while one server is gone\n${client.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    // The survivor leads now, and its metrics say so.
    const m = await eventually(async () => {
      const parsed = parsePrometheusText(await (await fetch(`http://${s2.address}/v1/metrics?format=prometheus`)).text());
      return sampleValue(parsed, 'kiln_leader') === 1 ? parsed : undefined;
    }, 15_000, 'the surviving server to lead');
    assert.ok(sampleValue(m, 'kiln_leader_changes_total', { event: 'elected' })! >= 1);
    assert.ok(sampleValue(m, 'kiln_store_op_seconds_count', { backend: 'etcd', op: 'txn' })! >= 1);
    // Allocation watch and status updates also go through the survivor.
    await registerJob(s2.address, sleeperJob('during', { pidDir }));
    const during = await eventually(async () => (await jobAllocs(s2.address, 'during')).find((a) => a.ClientStatus === 'running'), 30_000, 'a job placed after the kill to run');
    const duringPid = await eventually(() => pidOf(pidDir, during.ID), 10_000, 'its task to record its pid');

    await s2.kill9();
    await new Promise((r) => setTimeout(r, 3_000));
    assert.ok(alive(pid), 'with every server gone the task keeps running');
    assert.equal(client.child.exitCode, null, 'and so does the client');

    const s1again = await start(s1File);
    await eventually(async () => (await nodes(s1again.address)).find((n) => n.Name === 'c1' && n.Status === 'ready'), 30_000, 'the client to check in with the returning server');
    assert.ok(alive(pid), 'the task was not restarted');
    // The client follows the servers again: stopping the job stops its task.
    await eventually(() => stopJob(s1again.address, 'before'), 20_000, 'a leader to accept the stop');
    await eventually(() => !alive(pid) || undefined, 30_000, 'the task of the stopped job to end');
    await stopJob(s1again.address, 'during');
    await eventually(() => !alive(duringPid) || undefined, 30_000, 'the other task to end');
  } finally {
    for (const p of procs.reverse()) await p.kill9();
    killRecorded(pidDir);
    await net.remove().catch(() => undefined);
    await etcd.stop();
  }
});
