import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KilnClient, LineSplitter, parseLogFrame, frameData } from '../../src/api/index.js';
import { startTestServer } from './fake-server.js';

const frame = (text: string, offset: number): string =>
  JSON.stringify({ File: 'alloc/logs/web.stdout.0', Offset: offset, Data: Buffer.from(text).toString('base64') }) + '\n';

test('LineSplitter keeps partial lines between chunks', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push('{"a":1}\n{"b"'), ['{"a":1}']);
  assert.deepEqual(s.push(':2}\n'), ['{"b":2}']);
  assert.deepEqual(s.push('{"c":3}'), []);
  assert.deepEqual(s.end(), ['{"c":3}']);
});

test('parseLogFrame: heartbeats carry no data, data frames decode base64', () => {
  assert.equal(frameData(parseLogFrame('{}') ?? {}).length, 0);
  assert.equal(parseLogFrame('   '), undefined);
  assert.equal(frameData(parseLogFrame(frame('hi\n', 0)) ?? {}).toString(), 'hi\n');
  assert.throws(() => parseLogFrame('not json'), /not JSON/);
});

test('streamLogs decodes NDJSON frames split across writes, skipping heartbeats', async () => {
  let query: unknown;
  const server = await startTestServer((app) => {
    app.get('/v1/client/fs/logs/:alloc', (req, reply) => {
      query = { ...(req.query as Record<string, unknown>) };
      const all = frame('hello ', 0) + '{}\n' + frame('world\n', 6) + JSON.stringify({ FileEvent: 'file truncated' }) + '\n';
      reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // Cut the payload mid-frame to exercise reassembly.
      reply.raw.write(all.slice(0, 17));
      setTimeout(() => reply.raw.end(all.slice(17)), 20);
    });
  });
  try {
    const client = new KilnClient({ address: server.address });
    const chunks: string[] = [];
    for await (const chunk of client.streamLogs('abc', { task: 'web', type: 'stderr', origin: 'end', offset: 100 })) chunks.push(chunk.toString());
    assert.equal(chunks.join(''), 'hello world\n');
    assert.deepEqual(query, { task: 'web', type: 'stderr', origin: 'end', offset: '100' });
  } finally {
    await server.close();
  }
});

test('streamLogs with plain=true yields the raw bytes', async () => {
  const server = await startTestServer((app) => {
    app.get('/v1/client/fs/logs/:alloc', async (req) => {
      assert.equal((req.query as Record<string, string>).plain, 'true');
      return 'line one\nline two\n';
    });
  });
  try {
    const client = new KilnClient({ address: server.address });
    let text = '';
    for await (const chunk of client.streamLogs('abc', { task: 'web', plain: true })) text += chunk.toString();
    assert.equal(text, 'line one\nline two\n');
  } finally {
    await server.close();
  }
});

test('a followed stream ends quietly when the caller aborts', async () => {
  const server = await startTestServer((app) => {
    app.get('/v1/client/fs/logs/:alloc', (_req, reply) => {
      reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson' });
      reply.raw.write(frame('first\n', 0));
      const beat = setInterval(() => reply.raw.write('{}\n'), 50);
      reply.raw.on('close', () => clearInterval(beat));
    });
  });
  try {
    const client = new KilnClient({ address: server.address });
    const controller = new AbortController();
    const got: string[] = [];
    for await (const chunk of client.streamLogs('abc', { task: 'web', follow: true, signal: controller.signal })) {
      got.push(chunk.toString());
      controller.abort();
    }
    assert.deepEqual(got, ['first\n']);
  } finally {
    await server.close();
  }
});
