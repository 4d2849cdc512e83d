import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { eventually } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { alive, jobAllocs, killRecorded, nodes, pidOf, registerJob, sleeperJob, stopJob } from '../agent/jobs.js';
import { clientHcl, soloServerHcl, startConfigAgent, testJailNet, writeConfig, type ConfigAgent } from '../agent/procs.js';

// Node loss with the agent's default heartbeat settings: a server, two client
// processes; one client is SIGKILLed and its allocations must come back on the other.

const tmp = tempDir('kiln-node-loss-');
after(tmp.cleanup);

test('a client killed with SIGKILL is marked down, its allocations lost and replaced on the other client', async () => {
  const pidDir = join(tmp.dir, 'pids');
  mkdirSync(pidDir);
  const nets = [testJailNet(join(tmp.dir, 'c1'), 'knl1', '10.232.0.0/16', 'KNL1'), testJailNet(join(tmp.dir, 'c2'), 'knl2', '10.233.0.0/16', 'KNL2')];
  const procs: ConfigAgent[] = [];
  try {
    const server = await startConfigAgent(writeConfig(tmp.dir, 'server', await soloServerHcl(tmp.dir, 'server')));
    procs.push(server);
    const clients: Record<string, ConfigAgent> = {};
    for (const [i, name] of ['c1', 'c2'].entries()) {
      clients[name] = await startConfigAgent(writeConfig(tmp.dir, name, await clientHcl({ dir: tmp.dir, name, servers: [server.address], net: nets[i]! })));
      procs.push(clients[name]);
    }
    const byName = await eventually(async () => {
      const ns = await nodes(server.address);
      return ns.filter((n) => n.Status === 'ready').length === 2 ? new Map(ns.map((n) => [n.ID, n.Name])) : undefined;
    }, 30_000, 'both clients to register');

    await registerJob(server.address, sleeperJob('lossy', { count: 4, pidDir }));
    const placed = await eventually(async () => {
      const allocs = await jobAllocs(server.address, 'lossy');
      return allocs.filter((a) => a.ClientStatus === 'running').length === 4 ? allocs : undefined;
    }, 60_000, 'four running allocations');
    // Kill the client holding the most allocations (the scheduler may bin-pack them all on one).
    const perNode = new Map<string, number>();
    for (const a of placed) perNode.set(a.NodeID, (perNode.get(a.NodeID) ?? 0) + 1);
    const [victimId] = [...perNode.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const victim = byName.get(victimId)!;
    const survivorId = [...byName.keys()].find((id) => id !== victimId)!;
    const onVictim = placed.filter((a) => a.NodeID === victimId).map((a) => a.ID);
    await clients[victim]!.kill9();

    await eventually(async () => (await nodes(server.address)).find((n) => n.ID === victimId && n.Status === 'down'), 60_000, 'the killed client to be marked down');
    const after = await eventually(async () => {
      const allocs = await jobAllocs(server.address, 'lossy');
      const running = allocs.filter((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run');
      return running.length === 4 && running.every((a) => a.NodeID === survivorId) ? allocs : undefined;
    }, 60_000, 'four allocations running on the surviving client');
    for (const id of onVictim) assert.equal(after.find((a) => a.ID === id)?.ClientStatus, 'lost', `allocation ${id} of the dead node is lost`);
    const replacements = after.filter((a) => a.ClientStatus === 'running');
    for (const a of replacements) {
      const pid = await eventually(() => pidOf(pidDir, a.ID), 10_000, 'a replacement to record its pid');
      assert.ok(alive(pid), `replacement ${a.ID} runs`);
    }
    await stopJob(server.address, 'lossy');
    for (const a of replacements) await eventually(() => !alive(pidOf(pidDir, a.ID)!) || undefined, 30_000, 'the replacements to stop');
  } finally {
    for (const p of procs.reverse()) await p.kill9();
    killRecorded(pidDir);
    for (const n of nets) await n.remove().catch(() => undefined);
  }
});
