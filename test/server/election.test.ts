import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { clusterKeys } from '../../src/server/leader/election.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { agreedLeader, startClusterServer, TEST_TTL_SECONDS, type ClusterServer } from './election-cluster.js';
import { api, nodeJson, waitFor } from './helpers.js';

let etcd: TestEtcd;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd.stop();
});

/** Servers of one test share the etcd with the other tests; each test stops its servers before the next starts. */
async function cluster(n: number): Promise<{ servers: ClusterServer[]; stopAll(): Promise<void> }> {
  const servers: ClusterServer[] = [];
  for (let i = 0; i < n; i++) servers.push(await startClusterServer(etcd.endpoint, `server-${i}`));
  return { servers, stopAll: async () => void (await Promise.all(servers.map((s) => s.stop()))) };
}

test('two servers on one etcd: exactly one leader, every server names it, peers lists both', async () => {
  const c = await cluster(2);
  try {
    const leader = await agreedLeader(c.servers);
    assert.equal(c.servers.filter((s) => s.election.isLeader()).length, 1);
    for (const s of c.servers) {
      const peers = await api<string[]>(s.base, 'GET', '/v1/status/peers');
      assert.deepEqual(peers.body, c.servers.map((x) => x.server.address).sort());
    }
    assert.ok(c.servers.includes(leader));
  } finally {
    await c.stopAll();
  }
});

test('three servers: stopping the leader elects another, and a revoked lease deposes the next', async () => {
  const c = await cluster(3);
  try {
    const first = await agreedLeader(c.servers);
    await first.stop();
    let rest = c.servers.filter((s) => s !== first);
    const second = await agreedLeader(rest);
    assert.notEqual(second, first);
    const peers = await waitFor('the stopped server to leave the peers', async () => {
      const p = (await api<string[]>(second.base, 'GET', '/v1/status/peers')).body;
      return p.length === 2 ? p : undefined;
    });
    assert.ok(!peers.includes(first.server.address));

    // Hard case: the leader's lease is revoked behind its back (as when etcd expires it).
    const admin = new Etcd3({ hosts: [etcd.endpoint] });
    try {
      const key = (await admin.get(`/kiln${clusterKeys.leader}`).exec()).kvs[0];
      assert.ok(key, 'the leader key exists');
      await admin.leaseClient.leaseRevoke({ ID: key.lease });
    } finally {
      admin.close();
    }
    const third = await agreedLeader(rest);
    await waitFor('the deposed leader to notice', () => third === second || !second.election.isLeader());
    rest = rest.filter((s) => s.election.isLeader());
    assert.equal(rest.length, 1);
  } finally {
    await c.stopAll();
  }
});

test('a crashed leader (etcd connection gone, no resignation) is replaced within the lease TTL', async () => {
  const c = await cluster(2);
  try {
    const first = await agreedLeader(c.servers);
    await first.crash();
    const survivor = c.servers.find((s) => s !== first)!;
    const next = await agreedLeader([survivor], TEST_TTL_SECONDS * 1000 + 8_000);
    assert.equal(next, survivor);
  } finally {
    await c.stopAll();
  }
});

test('fencing: a write fenced on a lost leadership is refused, so a deposed leader cannot commit', async () => {
  const c = await cluster(2);
  try {
    const first = await agreedLeader(c.servers);
    const staleFence = first.election.fence();
    assert.ok(staleFence.modRevision > 0);
    const admin = new Etcd3({ hosts: [etcd.endpoint] });
    try {
      const key = (await admin.get(`/kiln${clusterKeys.leader}`).exec()).kvs[0]!;
      await admin.leaseClient.leaseRevoke({ ID: key.lease });
    } finally {
      admin.close();
    }
    await waitFor('a new leadership', async () => ((await first.store.get(clusterKeys.leader))?.modRevision ?? staleFence.modRevision) !== staleFence.modRevision);
    const res = await first.store.txn({ compares: [staleFence], ops: [{ type: 'put', key: '/evals/fenced', value: '{}' }] });
    assert.equal(res.succeeded, false);
    assert.deepEqual(res.failedKeys, [clusterKeys.leader]);
    assert.equal(await first.store.get('/evals/fenced'), undefined);
  } finally {
    await c.stopAll();
  }
});

test('heartbeats sent to a follower keep the node alive on the leader; silence marks it down', async () => {
  const fast = { minHeartbeatTtlMs: 400, heartbeatGraceMs: 400 };
  const servers = [await startClusterServer(etcd.endpoint, 'hb-0', fast), await startClusterServer(etcd.endpoint, 'hb-1', fast)];
  try {
    const leader = await agreedLeader(servers);
    const follower = servers.find((s) => s !== leader)!;
    const node = nodeJson();
    const reg = await api(follower.base, 'POST', '/v1/node/register', { Node: node });
    assert.equal(reg.status, 200);
    let ttlMs = reg.body.HeartbeatTTL / 1e6;
    assert.ok(ttlMs > 0);
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, ttlMs * 0.8));
      const hb = await api(follower.base, 'POST', `/v1/node/${node.ID}/heartbeat`, {});
      assert.equal(hb.status, 200, JSON.stringify(hb.body));
      ttlMs = hb.body.HeartbeatTTL / 1e6;
      assert.equal(leader.view.node(node.ID!)?.Status, 'ready', `still ready after heartbeat ${i}`);
    }
    await waitFor('the silent node to be marked down by the leader', () => leader.view.node(node.ID!)?.Status === 'down');
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
});

test('after etcd itself restarts, the cluster has a leader again', async () => {
  const own = await startEtcd();
  const servers = [await startClusterServer(own.endpoint, 'r-0'), await startClusterServer(own.endpoint, 'r-1')];
  try {
    await agreedLeader(servers);
    await own.kill();
    await waitFor('every server to step down while etcd is gone', () => servers.every((s) => !s.election.isLeader()), 15_000);
    await own.restart();
    const leader = await agreedLeader(servers, 30_000);
    assert.ok(servers.includes(leader));
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await own.stop();
  }
});
