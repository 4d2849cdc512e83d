import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { eventually } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { api, jobAllocs, killRecorded, nodes, registerJob, sleeperJob, stopJob } from './jobs.js';
import { clientHcl, soloServerHcl, startConfigAgent, testJailNet, writeConfig, type ConfigAgent } from './procs.js';

const tmp = tempDir('kiln-dcs-');
after(tmp.cleanup);

test('clients in two datacenters: a job runs only on nodes of its datacenters', async () => {
  const pidDir = join(tmp.dir, 'pids');
  mkdirSync(pidDir);
  const nets = [testJailNet(join(tmp.dir, 'east'), 'kdc1', '10.239.0.0/16', 'KDC1'), testJailNet(join(tmp.dir, 'west'), 'kdc2', '10.240.0.0/16', 'KDC2')];
  const procs: ConfigAgent[] = [];
  try {
    const server = await startConfigAgent(writeConfig(tmp.dir, 'server', await soloServerHcl(tmp.dir, 'server')));
    procs.push(server);
    for (const [i, [name, dc]] of [['east', 'dc1'], ['west', 'dc2']].entries()) {
      procs.push(await startConfigAgent(writeConfig(tmp.dir, name!, await clientHcl({ dir: tmp.dir, name: name!, datacenter: dc!, servers: [server.address], net: nets[i]! }))));
    }
    const byDc = await eventually(async () => {
      const ns = (await nodes(server.address)).filter((n) => n.Status === 'ready');
      return ns.length === 2 ? new Map(ns.map((n) => [n.Datacenter, n.ID])) : undefined;
    }, 30_000, 'both clients to register');
    assert.deepEqual([...byDc.keys()].sort(), ['dc1', 'dc2']);

    await registerJob(server.address, sleeperJob('west-only', { count: 3, datacenters: ['dc2'], pidDir }));
    const west = await eventually(async () => {
      const allocs = await jobAllocs(server.address, 'west-only');
      return allocs.filter((a) => a.ClientStatus === 'running').length === 3 ? allocs : undefined;
    }, 30_000, 'three allocations of the dc2 job running');
    assert.ok(west.every((a) => a.NodeID === byDc.get('dc2')), 'every allocation is on the dc2 node');

    await registerJob(server.address, sleeperJob('nowhere', { datacenters: ['dc3'], pidDir }));
    const blocked = await eventually(async () => {
      const summary = await api<{ Summary: Record<string, { Queued: number }> }>(server.address, 'GET', '/v1/job/nowhere/summary');
      return summary.Summary.g?.Queued === 1 ? summary : undefined;
    }, 20_000, 'the dc3 job to stay queued');
    assert.equal(blocked.Summary.g?.Queued, 1);
    assert.deepEqual(await jobAllocs(server.address, 'nowhere'), [], 'no node of dc3, no allocation');

    await stopJob(server.address, 'west-only');
    await stopJob(server.address, 'nowhere');
  } finally {
    for (const p of procs.reverse()) await p.kill9();
    killRecorded(pidDir);
    for (const n of nets) await n.remove().catch(() => undefined);
  }
});
