import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, portOf, rawExchange, request, startBackend, startStack } from './harness.js';

test('the built-in engine on the wire: pipelined requests, chunked uploads, HTTP/1.0, HEAD and 100-continue', async (t) => {
  const s = await startStack();
  const echo = await startBackend('echo', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = `${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), 'x-backend': 'echo' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    return true;
  });
  t.after(async () => {
    await s.close();
    await echo.close();
  });
  await s.register({ Name: 'echo', ID: 'echo', Address: '127.0.0.1', Port: echo.port });
  await eventually(async () => (await request(s.entry, '/', { host: 'echo.minipot' })).status === 200);
  const port = portOf(s.entry);

  // Three pipelined requests in one packet (the last one closes): three answers, in order.
  const piped = await rawExchange(
    port,
    'GET /one HTTP/1.1\r\nHost: echo.minipot\r\n\r\n' +
      'POST /two HTTP/1.1\r\nHost: echo.minipot\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n' +
      'GET /three HTTP/1.1\r\nHost: echo.minipot\r\nConnection: close\r\n\r\n',
  );
  const bodies = piped.split(/HTTP\/1\.1 200 OK\r\n/).slice(1).map((r) => r.slice(r.indexOf('\r\n\r\n') + 4));
  assert.deepEqual(bodies, ['GET /one ', 'POST /two abcde', 'GET /three ']);
  assert.match(piped, /Connection: close\r\n\r\nGET \/three $/);

  // HTTP/1.0 without keep-alive: answered, then closed by the proxy.
  const old = await rawExchange(port, 'GET /old HTTP/1.0\r\nHost: echo.minipot\r\n\r\n');
  assert.match(old, /^HTTP\/1.1 200 OK\r\n[\s\S]*Connection: close\r\n\r\nGET \/old $/);

  // HEAD: a Content-Length but no body; the connection stays usable for the next request.
  const head = await rawExchange(port, 'HEAD /h HTTP/1.1\r\nHost: echo.minipot\r\n\r\nGET /after HTTP/1.1\r\nHost: echo.minipot\r\nConnection: close\r\n\r\n');
  assert.match(head, /^HTTP\/1.1 200 OK\r\n[\s\S]*content-length: 8\r\n[\s\S]*\r\n\r\nHTTP\/1.1 200 OK[\s\S]*GET \/after $/);

  // Expect: 100-continue passes the server's interim answer through before the body is sent.
  const cont = await rawExchange(port, 'PUT /c HTTP/1.1\r\nHost: echo.minipot\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n', 300);
  assert.match(cont, /^HTTP\/1.1 100 Continue\r\n\r\n$/);

  // A malformed chunked body is a 400, and the connection is closed.
  const badChunk = await rawExchange(port, 'POST /x HTTP/1.1\r\nHost: echo.minipot\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
  assert.match(badChunk, /^HTTP\/1.1 400 Bad Request[\s\S]*malformed chunked body/);

  const m = await (await fetch(`${s.dashboard}/metrics`)).text();
  assert.match(m, /kiln_ingress_requests_total\{router="echo@consulcatalog",service="echo@consulcatalog",code="200"\} \d+/);
});
