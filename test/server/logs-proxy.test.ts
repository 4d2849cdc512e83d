import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { registerClientRoutes } from '../../src/client/routes.js';
import { createApp, silentLogger } from '../../src/server/index.js';
import type { Allocation, Evaluation } from '../../src/structs/index.js';
import { api, jobJson, nodeJson, startServer, waitFor } from './helpers.js';

test('a server without a client role proxies an allocation log request to its node', async () => {
  const logRoot = mkdtempSync(join(tmpdir(), 'kiln-proxy-logs-'));
  // The node side: the client agent's real log handler on its own kiln listener, reading real files.
  const nodeHttp = createApp({ logger: silentLogger });
  registerClientRoutes(nodeHttp, {
    resolveAllocLogs: (id) => {
      const logDir = join(logRoot, id);
      return { allocId: id, logDir };
    },
  });
  await nodeHttp.listen({ host: '127.0.0.1', port: 0 });
  const nodeAddr = nodeHttp.server.address() as { port: number };
  const t = await startServer({ proxyClientRoutes: true });
  try {
    const node = { ...nodeJson(), HTTPAddr: `127.0.0.1:${nodeAddr.port}` };
    await api(t.base, 'POST', '/v1/node/register', { Node: node });
    const job = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('logged') });
    await waitFor('placement', async () => (await api<Evaluation>(t.base, 'GET', `/v1/evaluation/${job.body.EvalID}`)).body.Status === 'complete');
    const [alloc] = (await api<Allocation[]>(t.base, 'GET', '/v1/job/logged/allocations')).body;
    assert.ok(alloc);
    mkdirSync(join(logRoot, alloc.ID), { recursive: true });
    writeFileSync(join(logRoot, alloc.ID, 'server.stdout.0'), 'hello from the node\n');

    const plain = await fetch(`${t.base}/v1/client/fs/logs/${alloc.ID.slice(0, 8)}?task=server&plain=true`);
    assert.equal(plain.status, 200);
    assert.match(plain.headers.get('content-type') ?? '', /text\/plain/);
    assert.equal(await plain.text(), 'hello from the node\n');

    const framed = await fetch(`${t.base}/v1/client/fs/logs/${alloc.ID}?task=server`);
    const frame = JSON.parse((await framed.text()).trim().split('\n')[0]!) as { File: string; Data: string };
    assert.equal(frame.File, 'alloc/logs/server.stdout.0');
    assert.equal(Buffer.from(frame.Data, 'base64').toString(), 'hello from the node\n');

    const missingTask = await api(t.base, 'GET', `/v1/client/fs/logs/${alloc.ID}`);
    assert.equal(missingTask.status, 400, 'the node error status passes through');
    assert.equal(missingTask.body.error.code, 'BAD_REQUEST');
  } finally {
    await t.close();
    await nodeHttp.close();
    rmSync(logRoot, { recursive: true, force: true });
  }
});

test('the proxy answers 503 when the node cannot be reached', async () => {
  const t = await startServer({ proxyClientRoutes: true });
  try {
    // Port 1 on loopback: nothing listens there.
    await api(t.base, 'POST', '/v1/node/register', { Node: { ...nodeJson(), HTTPAddr: '127.0.0.1:1' } });
    const job = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('unreachable') });
    await waitFor('placement', async () => (await api<Evaluation>(t.base, 'GET', `/v1/evaluation/${job.body.EvalID}`)).body.Status === 'complete');
    const [alloc] = (await api<Allocation[]>(t.base, 'GET', '/v1/job/unreachable/allocations')).body;
    assert.ok(alloc);
    const res = await api(t.base, 'GET', `/v1/client/fs/logs/${alloc.ID}?task=server`);
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'UNAVAILABLE');
    assert.match(res.body.error.message, /cannot reach node/);
  } finally {
    await t.close();
  }
});
