import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureLimiter } from '../../src/acl/rate-limit.js';
import { parseRouteTree } from '../../src/acl/route-list.js';
import { lookupRoute } from '../../src/acl/route-table.js';
import { hashSecret, newSecret, secretsEqual } from '../../src/acl/secrets.js';
import { aclEnabled, defaultAclEnabled, devConfig } from '../../src/agent/config.js';

test('failed attempts are limited per address and forgotten after the window', () => {
  let now = 1_000_000;
  const limiter = new FailureLimiter({ maxFailures: 3, windowMs: 60_000, now: () => now });
  for (let i = 0; i < 3; i++) {
    assert.equal(limiter.retryAfterMs('10.0.0.1'), 0);
    limiter.recordFailure('10.0.0.1');
    now += 1000;
  }
  assert.equal(limiter.retryAfterMs('10.0.0.1'), 57_000);
  assert.equal(limiter.retryAfterMs('10.0.0.2'), 0, 'another address is not limited');
  now += 57_000;
  assert.equal(limiter.retryAfterMs('10.0.0.1'), 0);
});

test('the limiter keeps at most maxAddresses addresses', () => {
  const limiter = new FailureLimiter({ maxFailures: 1, maxAddresses: 2 });
  for (const a of ['a', 'b', 'c']) limiter.recordFailure(a);
  assert.equal(limiter.retryAfterMs('a'), 0, 'the oldest address was forgotten');
  assert.ok(limiter.retryAfterMs('c') > 0);
});

test('secrets are random UUIDs stored as SHA-256 and compared in constant time', () => {
  const s = newSecret();
  assert.match(s, /^[0-9a-f-]{36}$/);
  assert.notEqual(newSecret(), s);
  assert.equal(hashSecret(s), hashSecret(s));
  assert.equal(hashSecret(s).length, 64);
  assert.ok(secretsEqual(s, s));
  assert.ok(!secretsEqual(s, `${s}x`));
});

test('the route tree of fastify becomes full paths with methods', () => {
  const tree = ['└── /', '    ├── v1/', '    │   ├── kv (GET, HEAD)', '    │   │   └── /', '    │   │       └── * (GET, HEAD, PUT)', '    │   └── a/', '    │       └── :alloc|:id', '    │           └── /x (POST)', '    └── ui (GET)'].join('\n');
  assert.deepEqual(parseRouteTree(tree), [
    { method: 'GET', url: '/v1/kv' },
    { method: 'HEAD', url: '/v1/kv' },
    { method: 'GET', url: '/v1/kv/*' },
    { method: 'HEAD', url: '/v1/kv/*' },
    { method: 'PUT', url: '/v1/kv/*' },
    { method: 'POST', url: '/v1/a/:alloc|:id/x' },
    { method: 'GET', url: '/ui' },
  ]);
});

test('route lookup ignores parameter names and lets HEAD use its GET', () => {
  assert.ok(lookupRoute('server', 'GET', '/v1/job/:jobId'));
  assert.ok(lookupRoute('server', 'HEAD', '/v1/jobs'));
  assert.equal(lookupRoute('server', 'PATCH', '/v1/jobs'), undefined);
  assert.equal(lookupRoute('registry', 'GET', '/v1/jobs'), undefined);
});

test('ACLs default off only for a dev agent on loopback', () => {
  assert.equal(defaultAclEnabled(true, '127.0.0.1'), false);
  assert.equal(defaultAclEnabled(true, '::1'), false);
  assert.equal(defaultAclEnabled(true, '0.0.0.0'), true);
  assert.equal(defaultAclEnabled(true, '192.168.1.5'), true);
  assert.equal(defaultAclEnabled(false, '127.0.0.1'), true);
  assert.equal(aclEnabled(devConfig({ httpPort: 0 })), false);
  assert.equal(aclEnabled(devConfig({ httpPort: 0, bindAddr: '0.0.0.0' })), true);
  assert.equal(aclEnabled({ ...devConfig({ httpPort: 0 }), acl: { enabled: true } }), true);
});
