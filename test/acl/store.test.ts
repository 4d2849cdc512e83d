import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AclStore } from '../../src/acl/store.js';
import { StoreTokenResolver } from '../../src/acl/resolver.js';
import { hashSecret } from '../../src/acl/secrets.js';
import { EtcdStore } from '../../src/state/etcd-store.js';
import { SqliteStore, type Store } from '../../src/state/index.js';
import { KilnError } from '../../src/structs/index.js';
import { startEtcd } from '../support/etcd.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('kiln-acl-store-');
after(tmp.cleanup);
const now = new Date('2026-11-26T04:00:00Z');

/** The same checks on each backend: ACLs live in the cluster store, whichever it is. */
async function exercise(store: Store): Promise<void> {
  const acl = new AclStore(store);
  assert.equal(await acl.bootstrapped(), false);
  const boot = await acl.bootstrap(now);
  assert.equal(boot.Type, 'management');
  assert.ok(boot.SecretID);
  assert.equal(await acl.bootstrapped(), true);
  await assert.rejects(acl.bootstrap(now), (e: unknown) => e instanceof KilnError && e.code === 'CONFLICT' && /already done/.test(e.message));

  await assert.rejects(acl.createToken({ Name: 'x', Policies: ['missing'] }, now), /policy "missing" does not exist/);
  await acl.putPolicy('ops', 'operators', 'node {\n  policy = "write"\n}\n');
  const ops = await acl.createToken({ Name: 'ops', Policies: ['ops'] }, now);
  const stored = await acl.token(ops.AccessorID);
  assert.equal(stored?.SecretHash, hashSecret(ops.SecretID!), 'only the hash is stored');
  assert.ok(!JSON.stringify(await store.range('/acl/')).includes(ops.SecretID!), 'the secret is nowhere in the store');

  const resolver = new StoreTokenResolver(acl);
  const who = await resolver.resolve(ops.SecretID!);
  assert.equal(who?.name, 'ops');
  assert.equal(who?.rules[0]?.node, 'write');
  assert.equal(await resolver.resolve('00000000-0000-0000-0000-000000000000'), undefined);
  assert.deepEqual((await acl.tokens()).map((t) => t.Name).sort(), ['Bootstrap Token', 'ops']);

  await acl.deleteToken(ops.AccessorID);
  assert.equal(await resolver.resolve(ops.SecretID!), undefined, 'a deleted token resolves to nothing at once');
  await acl.deletePolicy('ops');
  assert.deepEqual(await acl.policies(), []);
}

test('tokens and policies on SQLite', async () => {
  const store = await SqliteStore.open(join(tmp.dir, 'state.db'));
  try {
    await exercise(store);
  } finally {
    await store.close();
  }
});

test('tokens and policies on etcd, bootstrap once across two servers sharing it', async () => {
  const etcd = await startEtcd();
  const stores: EtcdStore[] = [];
  try {
    stores.push(await EtcdStore.open({ endpoints: [etcd.endpoint], prefix: '/kiln-acl-a' }));
    await exercise(stores[0]!);
    // Two servers racing to bootstrap one cluster: exactly one wins.
    stores.push(await EtcdStore.open({ endpoints: [etcd.endpoint], prefix: '/kiln-acl-b' }), await EtcdStore.open({ endpoints: [etcd.endpoint], prefix: '/kiln-acl-b' }));
    const results = await Promise.allSettled([new AclStore(stores[1]!).bootstrap(now), new AclStore(stores[2]!).bootstrap(now)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  } finally {
    for (const s of stores) await s.close();
    await etcd.stop();
  }
});
