import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { clusterKeys } from '../../src/server/leader/election.js';
import type { Allocation, Evaluation } from '../../src/structs/index.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { agreedLeader, startClusterServer, type ClusterServer } from './election-cluster.js';
import { api, jobJson, nodeJson, waitFor } from './helpers.js';

let etcd: TestEtcd;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd.stop();
});

async function cluster(n: number): Promise<ClusterServer[]> {
  const servers: ClusterServer[] = [];
  for (let i = 0; i < n; i++) servers.push(await startClusterServer(etcd.endpoint, `server-${i}`));
  return servers;
}

const live = (allocs: Allocation[]): Allocation[] => allocs.filter((a) => a.DesiredStatus === 'run' && !['complete', 'failed', 'lost'].includes(a.ClientStatus));

test('a job registered on a follower is scheduled by the leader and visible on every server', async () => {
  const servers = await cluster(2);
  try {
    const leader = await agreedLeader(servers);
    const follower = servers.find((s) => s !== leader)!;
    const node = nodeJson();
    const reg = await api(follower.base, 'POST', '/v1/node/register', { Node: node });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    const job = await api(follower.base, 'POST', '/v1/jobs', { Job: jobJson('follower-job', { count: 2 }) });
    assert.equal(job.status, 200, JSON.stringify(job.body));
    const ev = await waitFor('the evaluation to be processed', async () => {
      const e = (await api<Evaluation>(follower.base, 'GET', `/v1/evaluation/${job.body.EvalID}`)).body;
      return e.Status !== 'pending' ? e : undefined;
    });
    assert.equal(ev.Status, 'complete');
    for (const s of servers) {
      const allocs = await waitFor(`allocations on ${s.name}`, async () => {
        const a = live((await api<Allocation[]>(s.base, 'GET', '/v1/job/follower-job/allocations')).body);
        return a.length === 2 ? a : undefined;
      });
      for (const a of allocs) assert.equal(a.NodeID, node.ID);
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
});

test('no acknowledged write is lost across a leader crash; pending evaluations are finished by the new leader, each placed once', async () => {
  const servers = await cluster(3);
  try {
    const leader = await agreedLeader(servers);
    const node = nodeJson({ cpu: 100_000, memoryMB: 100_000 });
    assert.equal((await api(servers[0]!.base, 'POST', '/v1/node/register', { Node: node })).status, 200);
    const acknowledged: { id: string; evalId: string }[] = [];
    let crash: Promise<void> | undefined;
    for (let i = 0; i < 30; i++) {
      if (i === 10) crash = leader.crash();
      const target = servers[i % servers.length]!;
      const id = `job-${i}`;
      try {
        const res = await api(target.base, 'POST', '/v1/jobs', { Job: jobJson(id, { count: 1, cpu: 10, memoryMB: 10 }) });
        if (res.status === 200) acknowledged.push({ id, evalId: res.body.EvalID });
      } catch {
        // the crashed server refuses connections: not acknowledged
      }
    }
    await crash;
    assert.ok(acknowledged.length >= 20, `most writes are acknowledged (got ${acknowledged.length})`);
    const survivors = servers.filter((s) => s !== leader);
    const next = await agreedLeader(survivors);
    assert.notEqual(next, leader);
    for (const s of survivors) {
      for (const { id, evalId } of acknowledged) {
        const job = await waitFor(`${id} on ${s.name}`, async () => {
          const r = await api(s.base, 'GET', `/v1/job/${id}`);
          return r.status === 200 ? r.body : undefined;
        });
        assert.equal(job.ID, id);
        const ev = await waitFor(`evaluation of ${id} to finish on ${s.name}`, async () => {
          const e = (await api<Evaluation>(s.base, 'GET', `/v1/evaluation/${evalId}`)).body;
          return e.Status !== 'pending' ? e : undefined;
        });
        assert.equal(ev.Status, 'complete', `${id}: ${JSON.stringify(ev)}`);
      }
    }
    for (const { id } of acknowledged) {
      const allocs = live((await api<Allocation[]>(next.base, 'GET', `/v1/job/${id}/allocations`)).body);
      assert.equal(allocs.length, 1, `${id} has exactly one running allocation`);
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
});

test('evaluations left pending while no server leads are picked up by the next leader', async () => {
  // A stand-in leader that never schedules: it holds the leader key under a lease only the test can end.
  const admin = new Etcd3({ hosts: [etcd.endpoint] });
  const lease = admin.lease(60);
  const leaseId = await lease.grant();
  await admin.kv.put({ key: Buffer.from(`/kiln${clusterKeys.leader}`), value: Buffer.from(JSON.stringify({ name: 'stand-in', address: '127.0.0.1:1' })), lease: leaseId });
  const servers = await cluster(2);
  try {
    assert.equal((await api<string>(servers[0]!.base, 'GET', '/v1/status/leader')).body, '127.0.0.1:1');
    assert.ok(servers.every((s) => !s.election.isLeader()));
    assert.equal((await api(servers[1]!.base, 'POST', '/v1/node/register', { Node: nodeJson() })).status, 200);
    const job = await api(servers[0]!.base, 'POST', '/v1/jobs', { Job: jobJson('waiting-job') });
    assert.equal(job.status, 200);
    const pending = (await api<Evaluation>(servers[1]!.base, 'GET', `/v1/evaluation/${job.body.EvalID}`)).body;
    assert.equal(pending.Status, 'pending');
    await lease.revoke();
    await agreedLeader(servers);
    const ev = await waitFor('the pending evaluation to be processed', async () => {
      const e = (await api<Evaluation>(servers[1]!.base, 'GET', `/v1/evaluation/${job.body.EvalID}`)).body;
      return e.Status !== 'pending' ? e : undefined;
    });
    assert.equal(ev.Status, 'complete');
    assert.equal(live((await api<Allocation[]>(servers[0]!.base, 'GET', '/v1/job/waiting-job/allocations')).body).length, 1);
  } finally {
    lease.release();
    admin.close();
    await Promise.all(servers.map((s) => s.stop()));
  }
});
