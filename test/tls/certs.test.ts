import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caFileNames, certFileNames, createCa, createCert, identityOf, judgeRequest, loadTls, rolesAllowed } from '../../src/tls/index.js';
import { KilnError } from '../../src/structs/index.js';
import { tempDir } from '../support/tmp.js';

const NOW = new Date('2026-11-26T00:00:00Z');
const ca = createCa({ now: NOW });
const otherCa = createCa({ now: NOW });

test('file names follow nomad tls: kiln-agent-ca.pem, dc1-server-kiln.pem, -1 for a second one', () => {
  assert.deepEqual(caFileNames('kiln'), { cert: 'kiln-agent-ca.pem', key: 'kiln-agent-ca-key.pem' });
  assert.deepEqual(certFileNames('server', 'dc1', 'kiln'), { cert: 'dc1-server-kiln.pem', key: 'dc1-server-kiln-key.pem' });
  assert.deepEqual(certFileNames('client', 'dc2', 'kiln', 1), { cert: 'dc2-client-kiln-1.pem', key: 'dc2-client-kiln-1-key.pem' });
});

test('the CA is a CA, self-signed, valid for -days', () => {
  const c = new X509Certificate(ca.certPem);
  assert.equal(c.ca, true);
  assert.ok(c.checkIssued(c) && c.verify(c.publicKey));
  assert.equal(Date.parse(c.validTo) - NOW.getTime(), 1825 * 86_400_000);
  assert.match(c.subject, /CN=kiln Agent CA/);
});

test('a server certificate: role name, localhost, 127.0.0.1 and the extra names; signed by the CA; expiry from -days', () => {
  const pair = createCert({ ca, role: 'server', datacenter: 'dc1', days: 30, dnsNames: ['kiln.example.org'], ipAddresses: ['10.0.0.5'], now: NOW });
  const c = new X509Certificate(pair.certPem);
  assert.equal(c.subjectAltName, 'DNS:server.dc1.kiln, DNS:localhost, DNS:kiln.example.org, IP Address:127.0.0.1, IP Address:10.0.0.5');
  assert.equal(c.ca, false);
  const caCert = new X509Certificate(ca.certPem);
  assert.ok(c.checkIssued(caCert) && c.verify(caCert.publicKey), 'the chain verifies');
  assert.equal(c.verify(new X509Certificate(otherCa.certPem).publicKey), false, 'another CA did not sign it');
  assert.equal(Date.parse(c.validTo) - NOW.getTime(), 30 * 86_400_000);
  assert.deepEqual(c.keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  assert.equal(c.checkHost('server.dc1.kiln'), 'server.dc1.kiln');
  assert.equal(c.checkIP('127.0.0.1'), '127.0.0.1');
});

test('a CLI certificate is for client auth only', () => {
  const c = new X509Certificate(createCert({ ca, role: 'cli', now: NOW }).certPem);
  assert.deepEqual(c.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.match(c.subjectAltName ?? '', /^DNS:cli\.dc1\.kiln/);
});

test('bad names and addresses are refused with what to write', () => {
  assert.throws(() => createCert({ ca, role: 'server', ipAddresses: ['10.0.0.300'] }), (e: unknown) => e instanceof KilnError && /not an IPv4 address/.test(e.message));
  assert.throws(() => createCert({ ca, role: 'server', datacenter: 'dc 1' }), (e: unknown) => e instanceof KilnError && /not a DNS label/.test(e.message));
  assert.throws(() => createCa({ days: 0 }), (e: unknown) => e instanceof KilnError && /-days 0/.test(e.message));
});

test('identityOf reads the role from the SAN (CN only without SANs)', () => {
  assert.deepEqual(identityOf({ subjectaltname: 'DNS:localhost, DNS:client.dc2.kiln, IP Address:127.0.0.1' }), { role: 'client', datacenter: 'dc2', domain: 'kiln', name: 'client.dc2.kiln' });
  assert.equal(identityOf({ subjectaltname: 'DNS:localhost', subject: { CN: 'server.dc1.kiln' } }), undefined);
  assert.equal(identityOf({ subject: { CN: 'server.dc1.kiln' } })?.role, 'server');
  assert.equal(identityOf(undefined), undefined);
});

test('role policy: node writes need a node identity, the client API refuses client certificates', () => {
  assert.deepEqual(rolesAllowed('POST', '/v1/node/register'), ['client', 'server']);
  assert.deepEqual(rolesAllowed('POST', '/v1/node/abc/heartbeat'), ['client', 'server']);
  assert.deepEqual(rolesAllowed('POST', '/v1/client/allocations/update'), ['client', 'server']);
  assert.deepEqual(rolesAllowed('GET', '/v1/client/fs/logs/abc?type=stdout'), ['server', 'cli']);
  assert.equal(rolesAllowed('GET', '/v1/jobs'), undefined);
  const client = identityOf({ subjectaltname: 'DNS:client.dc1.kiln' });
  const cli = identityOf({ subjectaltname: 'DNS:cli.dc1.kiln' });
  assert.deepEqual(judgeRequest(client, 'POST', '/v1/node/register', 'kiln'), { ok: true });
  assert.equal(judgeRequest(cli, 'POST', '/v1/node/register', 'kiln').ok, false);
  const refused = judgeRequest(client, 'GET', '/v1/client/fs/logs/abc', 'kiln');
  assert.ok(!refused.ok && /a client certificate \(client\.dc1\.kiln\) may not call GET \/v1\/client\/fs\/logs\/abc/.test(refused.reason));
  assert.equal(judgeRequest(identityOf({ subjectaltname: 'DNS:server.dc1.other' }), 'GET', '/v1/jobs', 'kiln').ok, false);
  assert.equal(judgeRequest(undefined, 'GET', '/v1/jobs', 'kiln').ok, false);
});

test('loadTls: a certificate of another CA, a key of another certificate, a missing file, a not-yet-valid certificate are CONFIG_INVALID; a ca_file with two CAs accepts either', () => {
  const { dir, cleanup } = tempDir('kiln-tls-');
  try {
    const w = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
    const server = createCert({ ca, role: 'server' });
    const stranger = createCert({ ca: otherCa, role: 'server' });
    const base = { caFile: w('ca.pem', ca.certPem), certFile: w('s.pem', server.certPem), keyFile: w('s-key.pem', server.keyPem), verifyIncoming: true, verifyServerHostname: true };
    assert.equal(loadTls(base).identity.name, 'server.dc1.kiln');
    const invalid = (re: RegExp) => (e: unknown) => e instanceof KilnError && e.code === 'CONFIG_INVALID' && re.test(e.message);
    assert.throws(() => loadTls({ ...base, certFile: w('x.pem', stranger.certPem), keyFile: w('x-key.pem', stranger.keyPem) }), invalid(/was not signed by the CA/));
    assert.throws(() => loadTls({ ...base, keyFile: join(dir, 'x-key.pem') }), invalid(/is not the private key of/));
    assert.throws(() => loadTls({ ...base, caFile: join(dir, 'nope.pem') }), invalid(/cannot read ca_file .*ENOENT/));
    // While a CA is replaced, ca_file holds both: certificates of either are accepted.
    const bundle = w('both.pem', `${otherCa.certPem}${ca.certPem}`);
    assert.equal(loadTls({ ...base, caFile: bundle }).identity.name, 'server.dc1.kiln');
    assert.equal(loadTls({ ...base, caFile: bundle, certFile: join(dir, 'x.pem'), keyFile: join(dir, 'x-key.pem') }).serial, new X509Certificate(stranger.certPem).serialNumber);
    const early = createCert({ ca, role: 'server', now: new Date(Date.now() + 2 * 86_400_000) });
    assert.throws(() => loadTls({ ...base, certFile: w('e.pem', early.certPem), keyFile: w('e-key.pem', early.keyPem) }), invalid(/is not valid before .*check this machine's clock/));
    assert.throws(() => loadTls({ ...base, caFile: w('empty.pem', '-----BEGIN NOTHING-----\n') }), invalid(/holds no PEM certificate/));
  } finally {
    cleanup();
  }
});
