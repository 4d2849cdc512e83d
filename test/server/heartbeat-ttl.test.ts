import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../src/server/index.js';
import { HeartbeatMonitor } from '../../src/server/leader/heartbeats.js';
import { SqliteStore, StateView, keys } from '../../src/state/index.js';
import type { Node } from '../../src/structs/index.js';
import { nodeJson } from './helpers.js';

async function withNodes(count: number, status: Node['Status'], fn: (view: StateView, ids: string[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-hb-'));
  const store = await SqliteStore.open(join(dir, 'state.db'));
  const nodes = Array.from({ length: count }, () => ({ ...nodeJson(), Status: status }) as Node);
  if (nodes.length) await store.txn({ ops: nodes.map((n) => ({ type: 'put' as const, key: keys.node(n.ID), value: JSON.stringify(n) })) });
  const view = await StateView.create(store);
  try {
    await fn(
      view,
      nodes.map((n) => n.ID),
    );
  } finally {
    view.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('TTL is the minimum plus a stagger of up to one TTL; it grows with the node count', async () => {
  await withNodes(3, 'ready', async (view) => {
    const at = (r: number): number => {
      const hb = new HeartbeatMonitor({ view, logger: silentLogger, minTtlMs: 10_000, random: () => r, onExpire: async () => undefined });
      return hb.grant('x');
    };
    assert.equal(at(0), 10_000);
    assert.equal(at(0.5), 15_000);
  });
  await withNodes(1000, 'ready', async (view) => {
    const hb = new HeartbeatMonitor({ view, logger: silentLogger, minTtlMs: 10_000, random: () => 0, onExpire: async () => undefined });
    assert.equal(hb.grant('x'), 20_000, '1000 nodes at 50 heartbeats/s need 20 s');
  });
});

test('leadership start arms a failover timer for every node that is not down; expiry hands the node over', async () => {
  await withNodes(2, 'ready', async (view, ids) => {
    const expired: string[] = [];
    let done: () => void = () => undefined;
    const allExpired = new Promise<void>((r) => (done = r));
    const hb = new HeartbeatMonitor({
      view,
      logger: silentLogger,
      failoverTtlMs: 20,
      onExpire: async (id) => {
        expired.push(id);
        if (expired.length === 2) done();
      },
    });
    hb.start();
    assert.equal(hb.tracked(), 2);
    await allExpired;
    assert.deepEqual(expired.sort(), [...ids].sort());
    assert.equal(hb.tracked(), 0);
    hb.stop();
  });
  await withNodes(2, 'down', async (view) => {
    const hb = new HeartbeatMonitor({ view, logger: silentLogger, onExpire: async () => undefined });
    hb.start();
    assert.equal(hb.tracked(), 0, 'down nodes are not watched');
    hb.grant('fresh');
    assert.equal(hb.tracked(), 1);
    hb.clear('fresh');
    assert.equal(hb.tracked(), 0);
    hb.stop();
  });
});
