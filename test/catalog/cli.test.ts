import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/program.js';
import { catalogNodes } from '../../src/cli/commands/catalog-nodes.js';
import { catalogService } from '../../src/cli/commands/catalog-service.js';
import { catalogServices } from '../../src/cli/commands/catalog-services.js';
import { catalogAddress } from '../../src/cli/commands/catalog-address.js';
import { allocServicesSection } from '../../src/cli/commands/catalog-alloc.js';
import { captureIo } from '../cli/capture.js';
import { http, startCatalog } from './support.js';

const commands = [catalogServices, catalogService, catalogNodes];

test('catalog address: KILN_CATALOG_ADDR, then CONSUL_HTTP_ADDR (scheme optional), then the default', () => {
  assert.equal(catalogAddress({ KILN_CATALOG_ADDR: 'http://10.0.0.1:8500', CONSUL_HTTP_ADDR: 'x:1' }), 'http://10.0.0.1:8500');
  assert.equal(catalogAddress({ CONSUL_HTTP_ADDR: '127.0.0.1:9500' }), 'http://127.0.0.1:9500');
  assert.equal(catalogAddress({}), 'http://127.0.0.1:8500');
});

test('kiln catalog services / service / nodes print the catalog', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  for (const [id, status] of [['web-1', 'passing'], ['web-2', 'critical']] as const) {
    await http(`${h.url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify({ Node: 'client-1', Address: '10.0.0.5', Service: { ID: id, Service: 'hello-web', Port: id === 'web-1' ? 21000 : 21001, Tags: ['web'] }, Checks: [{ CheckID: `${id}-tcp`, Name: 'tcp', Status: status, ServiceID: id, Output: 'dial tcp: refused' }] }) });
  }
  const env = { KILN_CATALOG_ADDR: h.url };

  let io = captureIo(env);
  assert.equal(await runCli(['catalog', 'services'], io, { commands }), 0);
  assert.match(io.stdoutText(), /Service\s+Tags\s+Instances\s+Passing\s+Warning\s+Critical/);
  assert.match(io.stdoutText(), /hello-web\s+web\s+2\s+1\s+0\s+1/);

  io = captureIo(env);
  assert.equal(await runCli(['catalog', 'service', '-verbose', 'hello-web'], io, { commands }), 0);
  assert.match(io.stdoutText(), /web-1\s+client-1\s+10\.0\.0\.5\s+21000\s+passing\s+web\s+tcp=passing/);
  assert.match(io.stdoutText(), /web-2\s+client-1\s+10\.0\.0\.5\s+21001\s+critical/);
  assert.match(io.stdoutText(), /dial tcp: refused/);

  io = captureIo(env);
  assert.equal(await runCli(['catalog', 'service', 'nope'], io, { commands }), 1);
  assert.match(io.stderrText(), /No instances of service "nope"/);

  io = captureIo(env);
  assert.equal(await runCli(['catalog', 'nodes'], io, { commands }), 0);
  assert.match(io.stdoutText(), /client-1\s+10\.0\.0\.5\s+dc1\s+passing\s+2/);
  assert.match(io.stdoutText(), /node-1\s+127\.0\.0\.1/);
});

test('catalog commands say where they looked when the catalog is unreachable', async () => {
  const io = captureIo({ CONSUL_HTTP_ADDR: '127.0.0.1:1' });
  assert.notEqual(await runCli(['catalog', 'services'], io, { commands }), 0);
  assert.match(io.stderrText(), /cannot reach the catalog at http:\/\/127\.0\.0\.1:1/);
});

test('allocServicesSection lists the alloc instances with check statuses, and is absent when the catalog is down', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  await http(`${h.url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify({ Node: 'client-1', Address: '10.0.0.5', Service: { ID: '_kiln-abc-server-hello-web-21000', Service: 'hello-web', Port: 21000, Meta: { alloc_id: 'abc', task: 'server' } }, Checks: [{ CheckID: 'c', Name: 'alive', Status: 'passing', ServiceID: '_kiln-abc-server-hello-web-21000' }] }) });
  await http(`${h.url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify({ Node: 'client-1', Address: '10.0.0.5', Service: { ID: 'other', Service: 'hello-web', Port: 21001, Meta: { alloc_id: 'def' } } }) });
  const text = await allocServicesSection({ KILN_CATALOG_ADDR: h.url }, 'abc');
  assert.match(text ?? '', /^Services\nService\s+Task\s+Address\s+Status\s+Checks\nhello-web\s+server\s+10\.0\.0\.5:21000\s+passing\s+alive=passing$/);
  assert.equal(await allocServicesSection({ KILN_CATALOG_ADDR: h.url }, 'zzz'), undefined);
  assert.equal(await allocServicesSection({ KILN_CATALOG_ADDR: 'http://127.0.0.1:1' }, 'abc'), undefined);
});
