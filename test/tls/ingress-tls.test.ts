/**
 * TLS termination on the ingress: an entry point with certificates from
 * files answers HTTPS for routed services (SNI picks the certificate) and
 * tells the backend X-Forwarded-Proto: https; the plain entry point is unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { IngressAgent } from '../../src/ingress/index.js';
import { KilnError } from '../../src/structs/index.js';
import { createCa, createCert } from '../../src/tls/index.js';
import { tempDir } from '../support/tmp.js';
import { eventually, request, startBackend, startStack } from '../ingress/harness.js';

const ca = createCa();

function certFiles(dir: string, name: string, dnsNames: string[]): { certFile: string; keyFile: string } {
  const pair = createCert({ ca, role: 'server', dnsNames });
  const f = { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}-key.pem`) };
  writeFileSync(f.certFile, pair.certPem);
  writeFileSync(f.keyFile, pair.keyPem);
  return f;
}

/** GET over HTTPS with SNI = host; the answer and the certificate the ingress showed. */
function httpsGet(address: string, host: string): Promise<{ status: number; body: string; cert: PeerCertificate }> {
  const [hostname, port] = address.replace(/^https?:\/\//, '').split(':');
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ hostname, port: Number(port), path: '/', servername: host, headers: { host }, ca: ca.certPem, checkServerIdentity: () => undefined }, (res) => {
      let body = '';
      const cert = (res.socket as TLSSocket).getPeerCertificate();
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cert }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('an https entry point terminates TLS for routed services, picks the certificate by SNI, and forwards proto https', async (t) => {
  const tmp = tempDir('kiln-ingress-tls-');
  const web = certFiles(tmp.dir, 'web', ['hello-web.minipot']);
  const other = certFiles(tmp.dir, 'other', ['*.example.org']);
  const s = await startStack({ entryPoints: [{ name: 'http', address: '127.0.0.1:0' }, { name: 'https', address: '127.0.0.1:0', tls: { certificates: [web, other] } }] });
  const backend = await startBackend('a');
  t.after(async () => {
    await s.close();
    await backend.close();
    tmp.cleanup();
  });
  await s.register({ Name: 'hello-web', ID: 'hello-web-a', Address: '127.0.0.1', Port: backend.port });
  const https = `https://${s.ingress.entryPointAddress('https')}`;
  const first = await eventually(async () => {
    const r = await httpsGet(https, 'hello-web.minipot');
    return r.status === 200 && r;
  });
  const seen = JSON.parse(first.body) as { name: string; headers: Record<string, string> };
  assert.equal(seen.name, 'a');
  assert.equal(seen.headers['x-forwarded-proto'], 'https');
  assert.match(first.cert.subjectaltname ?? '', /DNS:hello-web\.minipot/);
  const bySni = await httpsGet(https, 'api.example.org');
  assert.match(bySni.cert.subjectaltname ?? '', /DNS:\*\.example\.org/, 'SNI picks the wildcard certificate');
  assert.equal(bySni.status, 404, 'no router for that host');
  const plain = await request(s.entry, '/', { host: 'hello-web.minipot' });
  assert.equal(plain.status, 200, 'the http entry point is unchanged');
  assert.equal((JSON.parse(plain.body) as { headers: Record<string, string> }).headers['x-forwarded-proto'], 'http');
});

test('TLS entry points: a missing certificate file is CONFIG_INVALID', async () => {
  const missing = await IngressAgent.create({ catalogAddress: 'http://127.0.0.1:1', dashboard: false, entryPoints: [{ name: 'https', address: '127.0.0.1:0', tls: { certificates: [{ certFile: '/nonexistent.pem', keyFile: '/nonexistent-key.pem' }] } }] });
  await assert.rejects(missing.start(), (e: unknown) => e instanceof KilnError && e.code === 'CONFIG_INVALID' && /cannot read ingress certificate \/nonexistent\.pem/.test(e.message));
  await missing.stop();
});
