import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromCatalog, type CatalogInstance, type CatalogServiceSnapshot, type TagConfigOptions } from '../../src/ingress/index.js';

const opts: TagConfigOptions = { prefix: 'traefik', domain: 'minipot', exposedByDefault: true, entryPoints: ['http', 'admin'] };
let seq = 0;
const inst = (o: Partial<CatalogInstance> = {}): CatalogInstance => ({ id: `i${++seq}`, node: 'n1', address: '10.0.0.1', port: 8080, tags: [], status: 'passing', weight: 1, modifyIndex: seq, ...o });
const svc = (name: string, ...instances: CatalogInstance[]): CatalogServiceSnapshot => ({ name, instances });

test('every catalog service gets a router Host(<name>.<domain>) on all entry points and a service over its instances', () => {
  const c = configFromCatalog([svc('hello-web', inst({ port: 1 }), inst({ port: 2, status: 'critical' }))], opts);
  assert.deepEqual(c.routers, [
    { name: 'hello-web@consulcatalog', provider: 'consulcatalog', rule: 'Host(`hello-web.minipot`)', priority: 'Host(`hello-web.minipot`)'.length, entryPoints: ['http', 'admin'], middlewares: [], service: 'hello-web@consulcatalog', status: 'enabled', errors: [] },
  ]);
  assert.equal(c.services.length, 1);
  assert.deepEqual(
    c.services[0]!.servers.map((s) => [s.url, s.status]),
    [
      ['http://10.0.0.1:1', 'passing'],
      ['http://10.0.0.1:2', 'critical'],
    ],
  );
  assert.equal(c.services[0]!.status, 'enabled');
});

test('a service with no instances has no router; exposedByDefault=false needs traefik.enable=true; enable=false hides', () => {
  assert.equal(configFromCatalog([svc('empty')], opts).routers.length, 0);
  const hidden = { ...opts, exposedByDefault: false };
  assert.equal(configFromCatalog([svc('a', inst())], hidden).routers.length, 0);
  assert.equal(configFromCatalog([svc('a', inst({ tags: ['traefik.enable=true'] }))], hidden).routers.length, 1);
  assert.equal(configFromCatalog([svc('a', inst({ tags: ['traefik.enable=false'] }))], opts).routers.length, 0);
});

test('router tags: rule, priority, entrypoints, middlewares, service; service port override; the default rule template', () => {
  const tags = [
    'traefik.http.routers.api.rule=Host(`shop.minipot`) && PathPrefix(`/api`)',
    'traefik.http.routers.api.priority=100',
    'traefik.http.routers.api.entrypoints=admin',
    'traefik.http.routers.api.middlewares=strip, hdr@consulcatalog',
    'traefik.http.routers.api.service=api-svc',
    'traefik.http.services.api-svc.loadbalancer.server.port=9000',
    'traefik.http.middlewares.strip.stripprefix.prefixes=/api,/v1',
    'traefik.http.middlewares.hdr.headers.customrequestheaders.X-Env=prod',
    'traefik.http.middlewares.hdr.headers.customresponseheaders.X-Powered-By=',
    'traefik.http.middlewares.add.addprefix.prefix=/v2',
    'traefik.http.middlewares.sec.redirectscheme.scheme=https',
    'traefik.http.middlewares.sec.redirectscheme.permanent=true',
    'unrelated-tag',
  ];
  const c = configFromCatalog([svc('shop', inst({ tags, weight: 3 }))], opts);
  const r = c.routers[0]!;
  assert.equal(r.name, 'api@consulcatalog');
  assert.equal(r.rule, 'Host(`shop.minipot`) && PathPrefix(`/api`)');
  assert.equal(r.priority, 100);
  assert.deepEqual(r.entryPoints, ['admin']);
  assert.deepEqual(r.middlewares, ['strip@consulcatalog', 'hdr@consulcatalog']);
  assert.equal(r.service, 'api-svc@consulcatalog');
  assert.equal(r.status, 'enabled', r.errors.join('; '));
  assert.deepEqual(c.services.map((s) => [s.name, s.servers[0]!.url, s.servers[0]!.weight]), [['api-svc@consulcatalog', 'http://10.0.0.1:9000', 3]]);
  const mw = Object.fromEntries(c.middlewares.map((m) => [m.name, m.spec]));
  assert.deepEqual(mw, {
    'strip@consulcatalog': { type: 'stripPrefix', prefixes: ['/api', '/v1'] },
    'hdr@consulcatalog': { type: 'headers', customRequestHeaders: { 'X-Env': 'prod' }, customResponseHeaders: { 'X-Powered-By': '' } },
    'add@consulcatalog': { type: 'addPrefix', prefix: '/v2' },
    'sec@consulcatalog': { type: 'redirectScheme', scheme: 'https', permanent: true },
  });
  const custom = configFromCatalog([svc('web', inst())], { ...opts, domain: 'example.org', defaultRule: 'Host(`{name}.apps.{domain}`)' });
  assert.equal(custom.routers[0]!.rule, 'Host(`web.apps.example.org`)');
});

test('bad tags mark only what they name; other services keep routing', () => {
  const c = configFromCatalog(
    [
      svc('bad-rule', inst({ tags: ['traefik.http.routers.x.rule=Host(`a`'] })),
      svc('bad-port', inst({ tags: ['traefik.http.services.p.loadbalancer.server.port=http'] })),
      svc('bad-mw', inst({ tags: ['traefik.http.routers.m.middlewares=nope', 'traefik.http.middlewares.auth.basicauth.users=x', 'traefik.http.routers.m.rule=Host(`m`)'] })),
      svc('bad-prio', inst({ tags: ['traefik.http.routers.p2.priority=high'] })),
      svc('bad-ep', inst({ tags: ['traefik.http.routers.e.entrypoints=websecure'] })),
      svc('typo', inst({ tags: ['traefik.htp.routers.x.rule=Host(`t`)', 'traefik.enable', 'traefik.http.routers.typo.tls=true'] })),
      svc('good', inst()),
    ],
    opts,
  );
  const router = (n: string) => c.routers.find((r) => r.name === `${n}@consulcatalog`)!;
  assert.equal(router('x').status, 'disabled');
  assert.match(router('x').errors[0]!, /invalid rule "Host\(`a`" at offset 8: expected "," or "\)"/);
  assert.equal(router('bad-port').status, 'disabled');
  assert.match(router('bad-port').errors.join(), /service p@consulcatalog is in error/);
  assert.match(c.services.find((s) => s.name === 'p@consulcatalog')!.errors[0]!, /loadbalancer.server.port "http" is not a port number/);
  assert.equal(router('m').status, 'disabled');
  assert.match(router('m').errors.join(), /middleware nope@consulcatalog does not exist/);
  assert.match(c.middlewares.find((m) => m.name === 'auth@consulcatalog')!.errors[0]!, /type "basicauth" is not supported; kiln supports stripprefix, addprefix, headers, redirectscheme/);
  assert.match(router('p2').errors.join(), /priority "high" is not an integer/);
  assert.match(router('e').errors.join(), /entry point "websecure" does not exist; configured: http, admin/);
  // Unknown tags warn but the router still serves.
  assert.equal(router('typo').status, 'warning');
  assert.match(router('typo').errors.join('\n'), /unknown tag "traefik.htp.routers.x.rule=Host\(`t`\)"/);
  assert.match(router('typo').errors.join('\n'), /tag "traefik.enable" has no value/);
  assert.match(router('typo').errors.join('\n'), /option "tls" is not supported/);
  assert.equal(router('good').status, 'enabled');
  assert.deepEqual(router('good').errors, []);
});

test('middleware option errors, conflicting definitions, two services without a router service name', () => {
  const c = configFromCatalog(
    [
      svc('a', inst({ tags: ['traefik.http.middlewares.s.stripprefix.prefixes=api', 'traefik.http.middlewares.r.redirectscheme.scheme=ftp', 'traefik.http.middlewares.h.headers.customrequestheaders.Bad Name=x'] })),
      svc('b', inst({ tags: ['traefik.http.middlewares.s.stripprefix.prefixes=/other'] })),
      svc('two', inst({ tags: ['traefik.http.services.s1.loadbalancer.server.port=1', 'traefik.http.services.s2.loadbalancer.server.port=2'] })),
      svc('noport', inst({ port: 0 })),
    ],
    opts,
  );
  const mw = (n: string) => c.middlewares.find((m) => m.name === `${n}@consulcatalog`)!;
  assert.match(mw('s').errors.join(), /prefix "api" must start with \//);
  assert.match(mw('s').errors.join(), /defined differently by service b/);
  assert.match(mw('r').errors.join(), /scheme must be http or https, got "ftp"/);
  assert.equal(mw('h').status, 'disabled');
  assert.match(c.routers.find((r) => r.name === 'two@consulcatalog')!.errors.join(), /defines 2 services; name one with routers.two.service/);
  const noport = c.services.find((s) => s.name === 'noport@consulcatalog')!;
  assert.equal(noport.servers.length, 0);
  assert.equal(noport.status, 'warning');
  assert.match(noport.errors.join(), /port is missing/);
});

test('tags come from the newest passing instance; differing tags between instances are reported', () => {
  const old = inst({ tags: ['traefik.http.routers.r.rule=Host(`old`)'], modifyIndex: 5 });
  const fresh = inst({ tags: ['traefik.http.routers.r.rule=Host(`new`)'], modifyIndex: 9 });
  const newestButCritical = inst({ tags: ['traefik.http.routers.r.rule=Host(`broken`)'], modifyIndex: 12, status: 'critical' });
  const c = configFromCatalog([svc('web', old, fresh, newestButCritical)], opts);
  assert.equal(c.routers[0]!.rule, 'Host(`new`)');
  assert.equal(c.routers[0]!.status, 'warning');
  assert.match(c.routers[0]!.errors.join(), /carry different tags/);
  assert.equal(c.services[0]!.servers.length, 3);
});

test('a custom tag prefix and case-insensitive keys', () => {
  const c = configFromCatalog([svc('w', inst({ tags: ['kiln.HTTP.Routers.Main.Rule=Path(`/x`)', 'traefik.http.routers.ignored.rule=Path(`/y`)'] }))], { ...opts, prefix: 'kiln' });
  assert.deepEqual(c.routers.map((r) => [r.name, r.rule]), [['Main@consulcatalog', 'Path(`/x`)']]);
});
