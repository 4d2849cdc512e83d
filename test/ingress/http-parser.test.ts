import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BodyFramer } from '../../src/ingress/proxy/framing.js';
import { HeadError, parseRequestHead, parseResponseHead, type RequestHead } from '../../src/ingress/proxy/http-head.js';

const MAX = 16 * 1024;
const b = (s: string) => Buffer.from(s, 'latin1');

/** Feeds `raw` in pieces of `step` bytes, as split packets would arrive; returns the parsed heads and bodies. */
function feed(raw: string, step: number): { heads: RequestHead[]; bodies: string[] } {
  const heads: RequestHead[] = [];
  const bodies: string[] = [];
  let pending = Buffer.alloc(0);
  let scanned = 0;
  let framer: BodyFramer | undefined;
  let body: Buffer[] = [];
  const all = b(raw);
  for (let off = 0; off < all.length; off += step) {
    pending = Buffer.concat([pending, all.subarray(off, off + step)]);
    for (;;) {
      if (framer) {
        const end = framer.consume(pending, 0);
        if (end < 0) {
          body.push(pending);
          pending = Buffer.alloc(0);
          break;
        }
        body.push(pending.subarray(0, end));
        bodies.push(Buffer.concat(body).toString('latin1'));
        pending = pending.subarray(end);
        framer = undefined;
        body = [];
        continue;
      }
      const head = parseRequestHead(pending, MAX, scanned);
      if (!head) {
        scanned = pending.length;
        break;
      }
      heads.push(head);
      pending = pending.subarray(head.length);
      scanned = 0;
      framer = new BodyFramer();
      framer.reset(head.chunked ? 'chunked' : head.contentLength > 0 ? 'length' : 'none', head.contentLength, 400);
      if (framer.done) {
        bodies.push('');
        framer = undefined;
      }
    }
  }
  return { heads, bodies };
}

const PIPELINED =
  'GET /a?x=1 HTTP/1.1\r\nHost: web.minipot\r\n\r\n' +
  'POST /b HTTP/1.1\r\nHost: web.minipot\r\nContent-Length: 5\r\n\r\nhello' +
  'PUT /c HTTP/1.1\r\nHost: web.minipot\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t\r\n\r\n' +
  'GET /d HTTP/1.0\r\nConnection: keep-alive\r\n\r\n';

test('pipelined requests parse the same whole and split at every packet size', () => {
  for (const step of [PIPELINED.length, 1, 2, 3, 7, 64]) {
    const { heads, bodies } = feed(PIPELINED, step);
    assert.deepEqual(
      heads.map((h) => [h.method, h.target, h.minor, h.host]),
      [
        ['GET', '/a?x=1', 1, 'web.minipot'],
        ['POST', '/b', 1, 'web.minipot'],
        ['PUT', '/c', 1, 'web.minipot'],
        ['GET', '/d', 0, undefined],
      ],
      `step ${step}`,
    );
    assert.deepEqual(bodies, ['', 'hello', '3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t\r\n\r\n', ''], `step ${step}`);
    assert.equal(heads[3]!.keepAlive, true);
  }
});

test('headers keep their line offsets, values are trimmed, leading empty lines are skipped', () => {
  const h = parseRequestHead(b('\r\nGET / HTTP/1.1\r\nHost:  a.minipot \r\nX-A:\tv\t\r\nConnection: Upgrade, keep-alive\r\nUpgrade: websocket\r\n\r\n'), MAX)!;
  assert.deepEqual(h.names, ['Host', 'X-A', 'Connection', 'Upgrade']);
  assert.deepEqual(h.values, ['a.minipot', 'v', 'Upgrade, keep-alive', 'websocket']);
  assert.equal(h.text.slice(h.lineStarts[1], h.lineStarts[2]), 'X-A:\tv\t\r\n');
  assert.equal(h.text.slice(h.lineStarts[4]), '\r\n');
  assert.equal(h.length, h.text.length + 2);
  assert.equal(h.connectionUpgrade && h.keepAlive && h.upgrade === 'websocket', true);
});

const BAD: [string, RegExp][] = [
  ['NOT HTTP AT ALL\r\n\r\n', /protocol version/],
  ['BROKEN\r\n\r\n', /method/],
  ['GET /\r\n\r\n', /request target/],
  ['GET / HTTP/2.0\r\n\r\n', /protocol version/],
  ['G(T / HTTP/1.1\r\n\r\n', /method/],
  ['GET /a b HTTP/1.1\r\n\r\n', /protocol version/],
  ['GET /\x01 HTTP/1.1\r\n\r\n', /request target/],
  ['GET / HTTP/1.1\nHost: a\r\n\r\n', /protocol version/],
  ['GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n', /CRLF/],
  ['GET / HTTP/1.1\r\nHost a\r\n\r\n', /header name/],
  ['GET / HTTP/1.1\r\nBad Name: a\r\n\r\n', /header name/],
  ['GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n', /obsolete line folding/],
  ['GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n', /header value/],
  ['GET / HTTP/1.1\r\nX: a\nY: b\r\n\r\n', /header value/],
  ['POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n', /Content-Length/],
  ['POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n', /Content-Length/],
  ['POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', /conflicting/],
  ['POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', /both/],
  ['POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n', /chunked/],
  ['POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', /HTTP\/1.0/],
  ['GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', /Host/],
];

test('malformed request heads are 400 errors naming the problem', () => {
  for (const [raw, reason] of BAD) {
    assert.throws(
      () => parseRequestHead(b(raw), MAX),
      (e: unknown) => e instanceof HeadError && e.status === 400 && reason.test(e.reason),
      JSON.stringify(raw),
    );
  }
});

test('a bad request line is rejected before the head is complete; an oversized head is 431', () => {
  assert.throws(() => parseRequestHead(b('BROKEN\r\nHost: a\r\n'), MAX), (e: unknown) => e instanceof HeadError && e.status === 400);
  assert.equal(parseRequestHead(b('GET / HTTP/1.1\r\nHost: a\r\n'), MAX), undefined);
  const big = `GET / HTTP/1.1\r\nX: ${'a'.repeat(200)}`;
  assert.throws(() => parseRequestHead(b(big), 100), (e: unknown) => e instanceof HeadError && e.status === 431);
  assert.throws(() => parseRequestHead(b(`${big}\r\n\r\n`), 100), (e: unknown) => e instanceof HeadError && e.status === 431);
});

test('chunked bodies: malformed framing is an error, split input is tracked byte by byte', () => {
  for (const bad of ['x\r\n', '3\r\nabcX', '3\nabc', '0\r\n\r\r', `${'f'.repeat(13)}\r\n`]) {
    const f = new BodyFramer();
    f.reset('chunked', -1, 400);
    assert.throws(() => f.consume(b(bad), 0), (e: unknown) => e instanceof HeadError && e.status === 400, JSON.stringify(bad));
  }
  const body = '5\r\nhello\r\n0\r\n\r\nNEXT';
  const f = new BodyFramer();
  f.reset('chunked', -1, 400);
  let end = -1;
  for (let i = 0; i < body.length && end < 0; i++) end = f.consume(b(body[i]!), 0) >= 0 ? i + 1 : -1;
  assert.equal(body.slice(end), 'NEXT');
});

test('response heads: framing from Content-Length, chunked or close; bad status lines are 502', () => {
  const r = parseResponseHead(b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello'), MAX)!;
  assert.equal(r.status, 200);
  assert.equal(r.contentLength, 5);
  assert.equal(r.close, true);
  const c = parseResponseHead(b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n'), MAX)!;
  assert.equal(c.chunked, true);
  assert.equal(c.contentLength, -1);
  const z = parseResponseHead(b('HTTP/1.0 204\r\n\r\n'), MAX)!;
  assert.equal(z.minor, 0);
  assert.equal(z.status, 204);
  assert.throws(() => parseResponseHead(b('HTTP/1.1 2000 OK\r\n\r\n'), MAX), (e: unknown) => e instanceof HeadError && e.status === 502);
  assert.equal(parseResponseHead(b('HTTP/1.1 200 OK\r\n'), MAX), undefined);
});
