import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseWait, withJitter } from '../../src/server/http/blocking.js';
import type { TestServer } from './helpers.js';
import { api, jobJson, startServer } from './helpers.js';

let t: TestServer;
before(async () => {
  t = await startServer();
});
after(async () => {
  await t.close();
});

test('parseWait reads Go durations and rejects garbage', () => {
  assert.equal(parseWait('30s'), 30_000);
  assert.equal(parseWait('5m'), 300_000);
  assert.equal(parseWait('1m30s'), 90_000);
  assert.equal(parseWait('250ms'), 250);
  assert.equal(parseWait('2'), 2000);
  assert.throws(() => parseWait('soon'), /not a duration/);
  assert.throws(() => parseWait('5x'), /not a duration/);
});

test('jitter adds at most wait/16', () => {
  assert.equal(withJitter(16_000, () => 0), 16_000);
  assert.equal(withJitter(16_000, () => 0.999), 16_999);
});

test('a blocking query returns early when the watched table changes', async () => {
  const first = await api(t.base, 'GET', '/v1/jobs');
  const index = Number(first.headers.get('x-kiln-index'));
  assert.ok(index >= 1);
  const waiting = api(t.base, 'GET', `/v1/jobs?index=${index}&wait=60s`);
  await new Promise((r) => setTimeout(r, 50));
  await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('wakes-watchers') });
  const res = await waiting;
  assert.equal(res.status, 200);
  assert.ok(Number(res.headers.get('x-kiln-index')) > index);
  assert.ok(res.body.some((j: { ID: string }) => j.ID === 'wakes-watchers'));
});

test('a blocking query with nothing changing returns at the wait with the same index', async () => {
  await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('quiet') });
  const first = await api(t.base, 'GET', '/v1/job/quiet/versions');
  const index = Number(first.headers.get('x-kiln-index'));
  const res = await api(t.base, 'GET', `/v1/job/quiet/versions?index=${index}&wait=1s`);
  assert.equal(res.status, 200);
  assert.equal(Number(res.headers.get('x-kiln-index')), index);
  assert.equal(res.body.Versions.length, 1);
});

test('a malformed index or wait is a 400', async () => {
  assert.equal((await api(t.base, 'GET', '/v1/jobs?index=abc')).status, 400);
  const res = await api(t.base, 'GET', '/v1/jobs?index=1&wait=forever');
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'BAD_REQUEST');
});
