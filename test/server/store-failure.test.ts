import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { api, jobJson, startServer } from './helpers.js';

test('a store that cannot write answers 500 STORE_WRITE_FAILED and nothing is half-written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-server-full-'));
  // A database capped at a few pages: small writes fit, a job with a large Meta does not.
  const t = await startServer({}, dir, { maxPageCount: 16 });
  try {
    const small = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('fits') });
    assert.equal(small.status, 200, JSON.stringify(small.body));
    const big = jobJson('too-big');
    big['Meta'] = { blob: 'y'.repeat(200 * 1024) };
    const before = t.view.index();
    const res = await api(t.base, 'POST', '/v1/jobs', { Job: big });
    assert.equal(res.status, 500);
    assert.equal(res.body.error.code, 'STORE_WRITE_FAILED');
    assert.equal((await api(t.base, 'GET', '/v1/job/too-big')).status, 404);
    assert.equal(t.view.index(), before, 'no revision was committed');
    assert.equal([...t.view.evals()].filter((e) => e.JobID === 'too-big').length, 0, 'no evaluation without its job');
    assert.equal((await api(t.base, 'GET', '/v1/job/fits')).status, 200, 'the server keeps serving');
  } finally {
    await t.close();
  }
});
