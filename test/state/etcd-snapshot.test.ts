import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FlagValues, type CommandContext } from '../../src/cli/command.js';
import { operatorSnapshot } from '../../src/cli/commands/operator-snapshot.js';
import { flagKey } from '../../src/cli/flags.js';
import { EtcdStore } from '../../src/state/etcd-store.js';
import { restoreSnapshot, saveSnapshot } from '../../src/state/etcd/snapshot.js';
import type { Allocation, Evaluation, KilnError } from '../../src/structs/index.js';
import { agreedLeader, startClusterServer } from '../server/election-cluster.js';
import { api, jobJson, nodeJson, startServer, waitFor } from '../server/helpers.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { tempDir } from '../support/tmp.js';

const live = (allocs: Allocation[]): Allocation[] => allocs.filter((a) => a.DesiredStatus === 'run');

let etcd: TestEtcd;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd.stop();
});

/** Run the CLI command's handler with real flags and env; returns what it printed. */
async function runSnapshot(action: string, file: string, env: Record<string, string>, dataDir?: string): Promise<string> {
  const printed: string[] = [];
  const ctx = {
    io: { stdout: process.stdout, stderr: process.stderr, env, now: () => Date.now() },
    flags: new FlagValues(dataDir ? { [flagKey('data-dir')]: dataDir } : {}),
    out: (t = '') => printed.push(t),
    err: (t: string) => printed.push(t),
  } as unknown as CommandContext;
  assert.equal(await operatorSnapshot.run(ctx, [action, file]), 0);
  return printed.join('\n');
}

test('kiln operator snapshot moves a single node (SQLite) into etcd: the cluster serves the same jobs, allocations and evaluations', async () => {
  const { dir, cleanup } = tempDir('kiln-snap-');
  // The agent keeps the server state in <data-dir>/server/state.db, where the command looks.
  const single = await startServer({}, join(dir, 'data', 'server'));
  try {
    assert.equal((await api(single.base, 'POST', '/v1/node/register', { Node: nodeJson() })).status, 200);
    const job = await api(single.base, 'POST', '/v1/jobs', { Job: jobJson('moved', { count: 2 }) });
    await waitFor('placement', async () => ((await api<Evaluation>(single.base, 'GET', `/v1/evaluation/${job.body.EvalID}`)).body.Status === 'complete' ? true : undefined));
  } finally {
    await single.stop();
  }
  const file = join(dir, 'backup.jsonl');
  const saved = await runSnapshot('save', file, {}, join(dir, 'data'));
  assert.match(saved, /Saved \d+ keys at revision \d+/);
  const header = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!);
  assert.equal(header.format, 'kiln-snapshot/1');

  const restored = await runSnapshot('restore', file, { KILN_ETCD_ENDPOINTS: etcd.endpoint, KILN_ETCD_PREFIX: '/moved' });
  assert.match(restored, new RegExp(`Restored ${header.keys} keys`));
  // Restoring twice is refused: the target is no longer empty.
  await assert.rejects(runSnapshot('restore', file, { KILN_ETCD_ENDPOINTS: etcd.endpoint, KILN_ETCD_PREFIX: '/moved' }), (err: KilnError) => err.code === 'CONFLICT');

  const server = await startClusterServer(etcd.endpoint, 'restored', {}, '/moved');
  try {
    await agreedLeader([server]);
    assert.equal((await api(server.base, 'GET', '/v1/job/moved')).status, 200);
    assert.equal(live((await api<Allocation[]>(server.base, 'GET', '/v1/job/moved/allocations')).body).length, 2);
    const next = await api(server.base, 'POST', '/v1/jobs', { Job: jobJson('after-restore') });
    const ev = await waitFor('the new evaluation', async () => {
      const e = (await api<Evaluation>(server.base, 'GET', `/v1/evaluation/${next.body.EvalID}`)).body;
      return e.Status !== 'pending' ? e : undefined;
    });
    assert.equal(ev.Status, 'complete');
    assert.equal(live((await api<Allocation[]>(server.base, 'GET', '/v1/job/after-restore/allocations')).body).length, 1);
  } finally {
    await server.stop();
  }
  cleanup();
});

test('a snapshot saved from etcd restores into another prefix with every key; damaged files are refused with the line number', async () => {
  const a = await EtcdStore.open({ endpoints: [etcd.endpoint], prefix: '/snap-a' });
  const b = await EtcdStore.open({ endpoints: [etcd.endpoint], prefix: '/snap-b' });
  try {
    await a.txn({ ops: [{ type: 'put', key: '/jobs/default/x', value: '{"ID":"x"}' }, { type: 'put', key: '/_cluster/leader', value: '{}' }] });
    await a.txn({ ops: Array.from({ length: 120 }, (_, i) => ({ type: 'put' as const, key: `/evals/${String(i).padStart(3, '0')}`, value: '{}' })) });
    const { header, lines } = await saveSnapshot(a);
    assert.equal(header.keys, 121, 'coordination keys are not saved');
    const res = await restoreSnapshot(b, lines.join('\n'));
    assert.equal(res.keys, 121);
    assert.deepEqual((await b.range('/')).map((kv) => [kv.key, kv.value]), (await a.range('/')).filter((kv) => !kv.key.startsWith('/_cluster/')).map((kv) => [kv.key, kv.value]));
    const { dir, cleanup } = tempDir('kiln-snap-bad-');
    try {
      const bad = join(dir, 'bad.jsonl');
      writeFileSync(bad, `${lines[0]}\n{"key": "/x", "value": \n`);
      await assert.rejects(restoreSnapshot(b, readFileSync(bad, 'utf8'), bad), (err: KilnError) => err.code === 'BAD_REQUEST' && /line 2 is not JSON/.test(err.message));
      await assert.rejects(restoreSnapshot(b, '{"format":"other"}', bad), (err: KilnError) => err.code === 'BAD_REQUEST' && /not a kiln snapshot/.test(err.message));
    } finally {
      cleanup();
    }
  } finally {
    await a.close();
    await b.close();
  }
});
