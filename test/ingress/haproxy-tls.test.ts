/**
 * TLS termination on the HAProxy engine, against the real haproxy binary:
 * HTTPS for routed services with SNI, the forwarded headers the built-in
 * engine sets (the same scenario runs on both engines), redirectscheme
 * without a loop, certificate checks before HAProxy starts, the SIGHUP
 * reload, and no haproxy process left behind (handshake abuse:
 * tls-handshake.test.ts).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { IngressAgent } from '../../src/ingress/index.js';
import { checkedEntryPoint, writeEntryPointPems } from '../../src/ingress/haproxy/certificates.js';
import { KilnError } from '../../src/structs/index.js';
import { createCert } from '../../src/tls/index.js';
import { tempDir } from '../support/tmp.js';
import { eventually, request, startBackend, startStack } from './harness.js';
import { ca, certFiles, haproxyChildren, httpsGet } from './tls-support.js';

/** The same scenario on both engines: the HAProxy engine must behave as the built-in one. */
async function tlsScenario(engine: 'builtin' | 'haproxy', t: TestContext): Promise<void> {
  const tmp = tempDir('kiln-haproxy-tls-');
  const web = certFiles(tmp.dir, 'web', ['hello-web.minipot', 'secure.minipot']);
  const other = certFiles(tmp.dir, 'other', ['*.example.org']);
  const s = await startStack({ engine, entryPoints: [{ name: 'http', address: '127.0.0.1:0' }, { name: 'https', address: '127.0.0.1:0', tls: { certificates: [web, other] } }] });
  const backend = await startBackend('a');
  t.after(async () => {
    await s.close();
    await backend.close();
    tmp.cleanup();
  });
  const https = s.ingress.entryPointAddress('https')!;
  const httpsPort = https.split(':')[1]!;
  await s.register({ Name: 'hello-web', ID: 'hello-web-a', Address: '127.0.0.1', Port: backend.port });
  // A new router reloads HAProxy; a connection caught by that is retried.
  const first = await eventually(async () => {
    const r = await httpsGet(https, 'hello-web.minipot').catch(() => undefined);
    return r?.status === 200 && r;
  });
  const seen = JSON.parse(first.body) as { name: string; headers: Record<string, string> };
  assert.equal(seen.name, 'a');
  assert.equal(seen.headers['x-forwarded-proto'], 'https');
  assert.equal(seen.headers['x-forwarded-port'], httpsPort, 'no port in Host: the entry point port');
  assert.equal(seen.headers['x-forwarded-host'], 'hello-web.minipot');
  assert.match(first.cert.subjectaltname ?? '', /DNS:hello-web\.minipot/);
  assert.notEqual(first.alpn, 'h2', 'HTTP/1.1 only, even to a client asking for h2');
  const forged = { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'http', 'x-forwarded-prefix': '/admin', 'x-real-ip': '6.6.6.6', 'x-forwarded-port': '1' };
  const withPort = JSON.parse((await httpsGet(https, 'hello-web.minipot', '/', 'hello-web.minipot:8443', forged)).body) as { headers: Record<string, string> };
  assert.equal(withPort.headers['x-forwarded-port'], '8443', 'the Host header port wins, as on the built-in engine');
  assert.equal(withPort.headers['x-forwarded-for'], '127.0.0.1', 'a client-sent X-Forwarded-For is replaced, not appended to');
  assert.equal(withPort.headers['x-real-ip'], '127.0.0.1');
  assert.equal(withPort.headers['x-forwarded-proto'], 'https');
  assert.equal(withPort.headers['x-forwarded-prefix'], undefined);
  assert.equal(withPort.headers['x-forwarded-server'], os.hostname());
  const bySni = await httpsGet(https, 'api.example.org');
  assert.match(bySni.cert.subjectaltname ?? '', /DNS:\*\.example\.org/, 'SNI picks the wildcard certificate');
  assert.equal(bySni.status, 404, 'no router for that host');
  const plain = await request(s.entry, '/', { host: 'hello-web.minipot' });
  assert.equal((JSON.parse(plain.body) as { headers: Record<string, string> }).headers['x-forwarded-proto'], 'http', 'the http entry point is unchanged');

  await s.register({
    Name: 'secure',
    ID: 'secure-1',
    Address: '127.0.0.1',
    Port: backend.port,
    Tags: ['traefik.http.routers.secure.middlewares=to-https', 'traefik.http.middlewares.to-https.redirectscheme.scheme=https', 'traefik.http.middlewares.to-https.redirectscheme.permanent=true', `traefik.http.middlewares.to-https.redirectscheme.port=${httpsPort}`],
  });
  const redirect = await eventually(async () => {
    const r = await request(s.entry, '/login?next=1', { host: 'secure.minipot:8080' }).catch(() => undefined);
    return r?.status === 301 && r;
  });
  assert.equal(redirect.headers.location, `https://secure.minipot:${httpsPort}/login?next=1`);
  assert.equal((await request(s.entry, '/login', { host: 'secure.minipot', method: 'POST', body: 'x' })).status, 308);
  // The router's redirect shows with the reload; its server arrives right after through the runtime API.
  const followed = await eventually(async () => {
    const r = await httpsGet(https, 'secure.minipot', '/login?next=1');
    return r.status !== 503 && r;
  });
  assert.equal(followed.status, 200, 'over TLS the redirect is not repeated');
  assert.equal((JSON.parse(followed.body) as { url: string }).url, '/login?next=1');

  if (engine === 'builtin') return;
  assert.equal(first.alpn, 'http/1.1', 'HAProxy offers exactly http/1.1 over ALPN');
  // The combined PEMs sit in the engine's own directory, readable by the agent's user only.
  const [pid] = haproxyChildren();
  assert.ok(pid, 'haproxy runs as a child of this process');
  const cfg = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[2]!;
  const certDir = join(dirname(cfg), 'certs');
  const pems = readdirSync(certDir).sort();
  assert.deepEqual(pems, ['https-0.pem', 'https-1.pem']);
  for (const p of pems) assert.equal(statSync(join(certDir, p)).mode & 0o777, 0o600, p);
  assert.match(readFileSync(cfg, 'utf8'), /bind 127\.0\.0\.1:\d+ ssl crt ".*https-0\.pem" crt ".*https-1\.pem"/);
}

test('haproxy engine: an https entry point terminates TLS with SNI, forwards proto https and its port, and redirectscheme does not loop', (t) => tlsScenario('haproxy', t));

test('built-in engine: the same TLS scenario gives the same answers', (t) => tlsScenario('builtin', t));

test('haproxy engine: reloadTls (the agent SIGHUP) checks the files first, then serves the new certificate; a mismatched key changes nothing', async (t) => {
  const tmp = tempDir('kiln-haproxy-tls-reload-');
  const web = certFiles(tmp.dir, 'web', ['hello-web.minipot']);
  const s = await startStack({ engine: 'haproxy', entryPoints: [{ name: 'http', address: '127.0.0.1:0' }, { name: 'https', address: '127.0.0.1:0', tls: { certificates: [web] } }] });
  const backend = await startBackend('a');
  t.after(async () => {
    await s.close();
    await backend.close();
    tmp.cleanup();
  });
  const https = s.ingress.entryPointAddress('https')!;
  await s.register({ Name: 'hello-web', ID: 'hello-web-a', Address: '127.0.0.1', Port: backend.port });
  const before = await eventually(async () => {
    const r = await httpsGet(https, 'hello-web.minipot').catch(() => undefined);
    return r?.status === 200 && r;
  });
  const next = createCert({ ca, role: 'server', dnsNames: ['hello-web.minipot'] });
  writeFileSync(web.certFile, next.certPem); // the key is not there yet
  assert.throws(() => s.ingress.reloadTls(), (e: unknown) => e instanceof KilnError && e.code === 'CONFIG_INVALID' && e.message.includes(`key file ${web.keyFile} does not match`));
  await s.ingress.settled();
  assert.equal((await httpsGet(https, 'hello-web.minipot')).cert.serialNumber, before.cert.serialNumber, 'the refused reload changed nothing');
  writeFileSync(web.keyFile, next.keyPem);
  const serial = new X509Certificate(next.certPem).serialNumber;
  assert.deepEqual(s.ingress.reloadTls(), [{ entryPoint: 'https', serials: [serial] }]);
  const after = await eventually(async () => {
    const r = await httpsGet(https, 'hello-web.minipot').catch(() => undefined);
    return r?.cert.serialNumber.toUpperCase() === serial.toUpperCase() && r;
  });
  assert.equal(after.status, 200, 'the reloaded HAProxy has its servers again');
  assert.notEqual(serial.toUpperCase(), before.cert.serialNumber.toUpperCase());
});

test('haproxy engine: a bad certificate or key is a CONFIG_INVALID naming the file, before haproxy starts', async (t) => {
  const tmp = tempDir('kiln-haproxy-tls-bad-');
  t.after(() => tmp.cleanup());
  const web = certFiles(tmp.dir, 'web', ['hello-web.minipot']);
  const other = certFiles(tmp.dir, 'other', ['other.minipot']);
  const garbage = join(tmp.dir, 'garbage.pem');
  writeFileSync(garbage, 'not a pem\n');
  const cases: [{ certFile: string; keyFile: string }, RegExp][] = [
    [{ certFile: web.certFile, keyFile: other.keyFile }, new RegExp(`key file ${other.keyFile} does not match the certificate in ${web.certFile}`)],
    [{ certFile: join(tmp.dir, 'missing.pem'), keyFile: web.keyFile }, new RegExp(`cannot read ingress certificate file ${tmp.dir}/missing\\.pem: ENOENT`)],
    [{ certFile: web.certFile, keyFile: garbage }, new RegExp(`key file ${garbage} holds no usable private key`)],
    [{ certFile: garbage, keyFile: web.keyFile }, new RegExp(`certificate file ${garbage} holds no PEM certificate`)],
  ];
  for (const [files, message] of cases) {
    const ingress = await IngressAgent.create({ engine: 'haproxy', catalogAddress: 'http://127.0.0.1:1', initialSyncTimeoutMs: 0, dashboard: false, entryPoints: [{ name: 'https', address: '127.0.0.1:0', tls: { certificates: [web, files] } }] });
    await assert.rejects(ingress.start(), (e: unknown) => e instanceof KilnError && e.code === 'CONFIG_INVALID' && message.test(e.message), String(message));
    assert.deepEqual(haproxyChildren(), [], 'no haproxy was started');
    await ingress.stop();
  }
  // HAProxy itself fails (the port is taken): the error says so, and the copy of the key is gone
  // without stop(), as from an agent that exits when it cannot start.
  const taken = net.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
  t.after(() => taken.close());
  const port = (taken.address() as net.AddressInfo).port;
  const busy = await IngressAgent.create({ engine: 'haproxy', catalogAddress: 'http://127.0.0.1:1', initialSyncTimeoutMs: 0, dashboard: false, entryPoints: [{ name: 'https', address: `127.0.0.1:${port}`, tls: { certificates: [web] } }] });
  await assert.rejects(busy.start(), (e: unknown) => e instanceof KilnError && e.code === 'UNAVAILABLE' && /haproxy exited/.test(e.message));
  const key = readFileSync(web.keyFile, 'utf8');
  const copies = readdirSync(os.tmpdir())
    .filter((d) => d.startsWith('kiln-haproxy-'))
    .flatMap((d) => {
      try {
        return readdirSync(join(os.tmpdir(), d, 'certs')).map((f) => join(os.tmpdir(), d, 'certs', f));
      } catch {
        return [];
      }
    })
    .filter((f) => {
      try {
        return readFileSync(f, 'utf8').includes(key);
      } catch {
        return false; // another test's engine removed its directory meanwhile
      }
    });
  assert.deepEqual(copies, [], 'no copy of the key is left behind');
  await busy.stop();
});

test('checked certificates are written as certificate + key into mode-0600 files, in order', () => {
  const tmp = tempDir('kiln-haproxy-pem-');
  try {
    const web = certFiles(tmp.dir, 'web', ['hello-web.minipot']);
    const [pem] = writeEntryPointPems(join(tmp.dir, 'out'), 'web secure', checkedEntryPoint('web secure', [web]));
    assert.equal(pem, join(tmp.dir, 'out', 'web_secure-0.pem'));
    assert.equal(statSync(pem!).mode & 0o777, 0o600);
    assert.equal(readFileSync(pem!, 'utf8'), readFileSync(web.certFile, 'utf8') + readFileSync(web.keyFile, 'utf8'));
    assert.throws(() => checkedEntryPoint('https', []), (e: unknown) => e instanceof KilnError && /needs at least one certificate/.test(e.message));
  } finally {
    tmp.cleanup();
  }
});

test('haproxy TLS tests leave no haproxy process behind', async () => {
  // A process replaced by a reload finishes its connections first (at most 10 s), then exits.
  for (let i = 0; i < 120 && haproxyChildren().length; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(haproxyChildren(), []);
});
