import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCa, createCert, createTlsFetch, type CertRole } from '../../src/tls/index.js';

const ca = createCa();

/** A real HTTPS listener on 127.0.0.1 presenting a certificate of `role`. */
async function listener(role: CertRole): Promise<{ url: string; close: () => Promise<void> }> {
  const pair = createCert({ ca, role });
  const srv = createServer({ cert: pair.certPem, key: pair.keyPem }, (req, res) => res.end(`hello ${req.method}`));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(srv.address() as AddressInfo).port}/`, close: () => new Promise((r) => (srv.closeAllConnections(), srv.close(() => r()))) };
}

test('verify_server_hostname: a node with a client certificate cannot pose as a server', async () => {
  const server = await listener('server');
  const impostor = await listener('client');
  try {
    const toServers = createTlsFetch({ ca: ca.certPem, serverName: { name: 'server.dc1.kiln' } });
    assert.equal(await (await toServers(server.url)).text(), 'hello GET');
    await assert.rejects(toServers(impostor.url), (e: Error) => /not for server\.dc1\.kiln/.test(String((e.cause as Error)?.message)));
    // Without verify_server_hostname any certificate of the CA is accepted, as Nomad does.
    assert.equal((await createTlsFetch({ ca: ca.certPem, serverName: 'chain' })(impostor.url)).status, 200);
  } finally {
    await server.close();
    await impostor.close();
  }
});

test('upgradeHttp: http:// addresses are called over TLS; bodies and methods pass through', async () => {
  const server = await listener('server');
  try {
    const f = createTlsFetch({ ca: ca.certPem, upgradeHttp: true, serverName: 'host' });
    const res = await f(server.url.replace('https:', 'http:'), { method: 'POST', body: 'x' });
    assert.equal(await res.text(), 'hello POST');
  } finally {
    await server.close();
  }
});
