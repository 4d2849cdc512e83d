import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { http, startCatalog, type Harness } from './support.js';

/** The decoded fields the tests read (dns-packet's Answer union hides `data`). */
interface Decoded {
  id?: number;
  rcode?: string;
  answers?: { name: string; data: unknown }[];
  additionals?: { name: string; data: unknown }[];
}

function udpQuery(port: number, packet: Buffer, timeoutMs = 2000): Promise<Decoded | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      resolve(undefined);
    }, timeoutMs);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(dnsPacket.decode(msg) as unknown as Decoded);
    });
    sock.send(packet, port, '127.0.0.1');
  });
}

const query = (name: string, type: 'A' | 'SRV' | 'AAAA', id = 42) => dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });

async function seed(h: Harness): Promise<void> {
  const reg = (body: unknown) => http(`${h.url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify(body) });
  for (const [node, addr, id, port, tags, status] of [
    ['n1', '10.0.0.1', 'web-1', 20001, ['blue'], 'passing'],
    ['n2', '10.0.0.2', 'web-2', 20002, ['green'], 'warning'],
    ['n3', '10.0.0.3', 'web-3', 20003, ['blue'], 'critical'],
  ] as const) {
    const r = await reg({ Node: node, Address: addr, Service: { ID: id, Service: 'web', Port: port, Tags: tags }, Checks: [{ CheckID: `${id}-c`, Name: 'tcp', Status: status, ServiceID: id }] });
    assert.equal(r.status, 200, r.text);
  }
}

test('DNS: A and SRV for passing and warning instances (not critical), tags, RFC 2782, nodes, NXDOMAIN', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  await seed(h);
  const port = h.catalog.dnsAddress.port;

  const a = await udpQuery(port, query('web.service.consul', 'A'));
  assert.equal(a?.id, 42);
  assert.equal(a?.rcode, 'NOERROR');
  assert.deepEqual(a!.answers!.map((r) => r.data).sort(), ['10.0.0.1', '10.0.0.2']);

  const srv = await udpQuery(port, query('web.service.dc1.consul', 'SRV'));
  const srvData = srv!.answers!.map((r) => r.data as { port: number; target: string }).sort((x, y) => x.port - y.port);
  assert.deepEqual(srvData.map((d) => [d.port, d.target]), [[20001, 'n1.node.dc1.consul'], [20002, 'n2.node.dc1.consul']]);
  assert.deepEqual(srv!.additionals!.map((r) => [r.name, r.data]).sort(), [['n1.node.dc1.consul', '10.0.0.1'], ['n2.node.dc1.consul', '10.0.0.2']]);

  const blue = await udpQuery(port, query('blue.web.service.consul', 'A'));
  assert.deepEqual(blue!.answers!.map((r) => r.data), ['10.0.0.1']);
  const rfc = await udpQuery(port, query('_web._green.service.consul', 'SRV'));
  assert.deepEqual(rfc!.answers!.map((r) => (r.data as { port: number }).port), [20002]);
  const anyTag = await udpQuery(port, query('_web._tcp.service.consul', 'SRV'));
  assert.equal(anyTag!.answers!.length, 2);

  const node = await udpQuery(port, query('n3.node.consul', 'A'));
  assert.deepEqual(node!.answers!.map((r) => r.data), ['10.0.0.3']);

  for (const name of ['nope.service.consul', 'web.service.example.org', 'x.y.node.consul']) {
    const nx = await udpQuery(port, query(name, 'A'));
    assert.equal(nx?.rcode, 'NXDOMAIN', name);
  }
});

test('DNS over TCP answers the same; garbage is dropped and the server keeps answering', async (t) => {
  const h = await startCatalog({ domain: 'kiln' });
  t.after(() => h.close());
  await seed(h);
  const port = h.catalog.dnsAddress.port;

  for (const junk of [Buffer.from('hello, not dns'), Buffer.alloc(0), Buffer.from([0xff, 0xff, 0xff]), dnsPacket.encode({ type: 'response', id: 1, questions: [{ type: 'A', name: 'web.service.kiln' }] })]) {
    assert.equal(await udpQuery(port, junk, 200), undefined);
  }
  const after = await udpQuery(port, query('web.service.kiln', 'A', 7));
  assert.equal(after?.id, 7);
  assert.equal(after!.answers!.length, 2);

  const tcpAnswer = await new Promise<Decoded>((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(dnsPacket.streamEncode({ type: 'query', id: 9, questions: [{ type: 'SRV', name: 'web.service.kiln' }] })));
    let buf = Buffer.alloc(0);
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.destroy();
        resolve(dnsPacket.streamDecode(buf) as unknown as Decoded);
      }
    });
    sock.on('error', reject);
  });
  assert.equal(tcpAnswer.id, 9);
  assert.equal(tcpAnswer.answers!.length, 2);

  // Garbage on TCP closes that connection only.
  await new Promise<void>((resolve) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(Buffer.from([0, 4, 1, 2, 3, 4])));
    sock.on('close', () => resolve());
    sock.on('error', () => resolve());
  });
  const still = await udpQuery(port, query('web.service.kiln', 'A'));
  assert.equal(still!.answers!.length, 2);
});

test('DNS: a UDP answer too big for 512 bytes is truncated with TC; TCP carries all of it', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  for (let i = 0; i < 40; i++) {
    await http(`${h.url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify({ Node: `node-${i}`, Address: `10.2.0.${i + 1}`, Service: { ID: `big-${i}`, Service: 'big', Port: 30000 + i } }) });
  }
  const port = h.catalog.dnsAddress.port;
  const raw = await new Promise<Buffer>((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (msg) => {
      sock.close();
      resolve(msg);
    });
    sock.send(query('big.service.consul', 'SRV'), port, '127.0.0.1');
  });
  assert.ok(raw.length <= 512);
  const udp = dnsPacket.decode(raw) as unknown as Decoded & { flag_tc?: boolean };
  assert.equal(udp.flag_tc, true);
  assert.ok(udp.answers!.length < 40);
  const tcp = await new Promise<Decoded>((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(dnsPacket.streamEncode({ type: 'query', id: 3, questions: [{ type: 'SRV', name: 'big.service.consul' }] })));
    let buf = Buffer.alloc(0);
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.destroy();
        resolve(dnsPacket.streamDecode(buf) as unknown as Decoded);
      }
    });
    sock.on('error', reject);
  });
  assert.equal(tcp.answers!.length, 40);
  assert.equal(tcp.additionals!.length, 40);
});
