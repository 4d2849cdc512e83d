/**
 * Fuzzing the catalog (a real CatalogAgent over SQLite, in this process): its Consul-style
 * HTTP API with random requests, and its DNS server with random and mutated packets over
 * UDP and TCP. Nothing may answer 5xx or hang; afterwards both still answer real queries.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { startCatalog } from '../catalog/support.js';
import { requestsOver, send } from './http.js';
import { fuzzRuns, nastyToken } from './support.js';

const CATALOG_ROUTES = [
  'GET /v1/agent/checks', 'GET /v1/agent/self', 'GET /v1/agent/services', 'GET /v1/agent/service/:id', 'PUT /v1/agent/check/register', 'PUT /v1/agent/check/pass/:id',
  'PUT /v1/agent/check/fail/:id', 'PUT /v1/agent/check/update/:id', 'PUT /v1/agent/check/deregister/:id', 'PUT /v1/agent/service/register', 'PUT /v1/agent/service/deregister/:id',
  'GET /v1/catalog/datacenters', 'GET /v1/catalog/nodes', 'GET /v1/catalog/node/:node', 'GET /v1/catalog/services', 'GET /v1/catalog/service/:name',
  'PUT /v1/catalog/register', 'PUT /v1/catalog/deregister', 'GET /v1/health/checks/:name', 'GET /v1/health/node/:node', 'GET /v1/health/service/:name',
  'GET /v1/health/state/:state', 'GET /v1/kv', 'GET /v1/kv/*', 'PUT /v1/kv/*', 'DELETE /v1/kv/*',
];

test('the catalog HTTP API answers random requests with 2xx/4xx, never 5xx or a hang', async (t) => {
  const c = await startCatalog();
  t.after(() => c.close());
  const failures: string[] = [];
  await fc.assert(
    fc.asyncProperty(requestsOver(CATALOG_ROUTES), async (r) => {
      const out = await send(c.url, r);
      if (out.status === 0 || out.status >= 500) failures.push(`${r.method} ${r.path} ${r.body?.slice(0, 80) ?? ''} → ${out.status} ${out.text.slice(0, 200)}`);
      return out.status !== 0 && out.status < 500;
    }),
    { numRuns: fuzzRuns(3000) },
  );
  assert.deepEqual(failures, []);
  const res = await fetch(`${c.url}/v1/catalog/services`);
  assert.equal(res.status, 200, 'the catalog still answers after the fuzz run');
});

const validQuery = (name: string, type: 'A' | 'SRV' | 'NS' | 'TXT' | 'AAAA', id: number): Buffer =>
  dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });

/** Valid queries for odd names, and valid queries with bytes flipped, cut or appended. */
const packet = fc.oneof(
  fc.record({ name: fc.oneof(nastyToken, fc.string({ maxLength: 60 }), fc.constantFrom('web.service.consul', 'x.node.consul', '_web._tcp.service.consul', '.', '')), type: fc.constantFrom('A', 'SRV', 'NS', 'TXT', 'AAAA') as fc.Arbitrary<'A' | 'SRV' | 'NS' | 'TXT' | 'AAAA'>, id: fc.nat({ max: 65535 }) }).chain(({ name, type, id }) => {
    let q: Buffer;
    try {
      q = validQuery(name, type, id);
    } catch {
      q = validQuery('web.service.consul', type, id);
    }
    return fc.record({ flips: fc.array(fc.tuple(fc.nat({ max: q.length - 1 }), fc.nat({ max: 255 })), { maxLength: 4 }), cut: fc.nat({ max: q.length }), tail: fc.uint8Array({ maxLength: 8 }) }).map(({ flips, cut, tail }) => {
      const b = Buffer.from(q);
      for (const [at, v] of flips) b[at] = v;
      return Buffer.concat([b.subarray(0, Math.max(cut, 1)), Buffer.from(tail)]);
    });
  }),
  fc.uint8Array({ minLength: 0, maxLength: 600 }).map((a) => Buffer.from(a)),
);

async function udpExchange(port: number, msg: Buffer): Promise<void> {
  const sock = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve) => {
      // A malformed packet is dropped by design; an answer or a short silence both end the exchange.
      const timer = setTimeout(resolve, 10);
      sock.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      sock.send(msg, port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

async function tcpExchange(port: number, msg: Buffer): Promise<void> {
  const framed = Buffer.concat([Buffer.from([msg.length >> 8, msg.length & 0xff]), msg]);
  await new Promise<void>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(framed));
    s.on('data', () => undefined);
    s.setTimeout(200, () => s.destroy());
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
}

async function answersA(port: number): Promise<boolean> {
  const sock = dgram.createSocket('udp4');
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 2000);
      sock.once('message', (m) => {
        clearTimeout(timer);
        resolve(dnsPacket.decode(m).id === 4242);
      });
      sock.send(validQuery('consul.service.consul', 'A', 4242), port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

test('the catalog DNS server survives random and mutated packets over UDP and TCP', async (t) => {
  const c = await startCatalog();
  t.after(() => c.close());
  const port = c.catalog.dnsAddress.port;
  await fc.assert(
    fc.asyncProperty(packet, fc.boolean(), async (msg, overTcp) => {
      await (overTcp ? tcpExchange(port, msg) : udpExchange(port, msg));
    }),
    { numRuns: fuzzRuns(2000) },
  );
  assert.equal(await answersA(port), true, 'DNS still answers a valid query after the fuzz run');
});
