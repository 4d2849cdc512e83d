import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { jobJson, startServer } from './helpers.js';

// A server being stopped (SIGTERM, a rolling restart) answers the requests it has in flight
// instead of resetting their connections, so a client never has to guess whether a write landed.

test('stopping the server answers a blocking query in flight instead of resetting it', async () => {
  const s = await startServer();
  const first = await fetch(`${s.base}/v1/jobs`);
  const index = Number(first.headers.get('x-nomad-index'));
  await first.text();
  const pending = fetch(`${s.base}/v1/jobs?index=${index}&wait=60s`).then(async (r) => ({ status: r.status, body: await r.text() }));
  await new Promise((r) => setTimeout(r, 200)); // the query is now waiting in the server
  await s.close();
  const answered = await pending;
  assert.equal(answered.status, 200);
  assert.deepEqual(JSON.parse(answered.body), []);
});

test('a job registration whose body is still arriving when the server stops is committed and answered', async () => {
  const s = await startServer();
  const body = JSON.stringify({ Job: jobJson('late-writer') });
  const url = new URL(`${s.base}/v1/jobs`);
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.write(body.slice(0, 20));
    // The rest arrives while the server is already closing.
    setTimeout(() => req.end(body.slice(20)), 300);
  });
  await new Promise((r) => setTimeout(r, 100));
  const closing = s.stop();
  const res = await answer;
  await closing;
  assert.equal(res.status, 200, res.text);
  assert.match(res.text, /"EvalID"/);
  // Committed for good: a server on the same data directory has the job.
  const again = await startServer({}, s.dir);
  const job = await fetch(`${again.base}/v1/job/late-writer`);
  assert.equal(job.status, 200);
  await again.close();
});
