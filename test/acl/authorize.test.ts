import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAllowed, namespaceCapabilities } from '../../src/acl/authorize.js';
import { emptyRules, type Identity, type PolicyRules } from '../../src/acl/types.js';

const who = (...rules: Partial<PolicyRules>[]): Identity => ({ accessor: 'a', name: 't', management: false, rules: rules.map((r) => ({ ...emptyRules(), ...r })) });

test('read and write namespace policies grant job read / submit, never logs or exec', () => {
  const reader = who({ namespaces: [{ name: 'default', policy: 'read', capabilities: [] }] });
  const writer = who({ namespaces: [{ name: 'default', policy: 'write', capabilities: [] }] });
  assert.ok(isAllowed(reader, { scope: 'namespace', capability: 'read-job', namespace: 'default' }));
  assert.ok(!isAllowed(reader, { scope: 'namespace', capability: 'submit-job', namespace: 'default' }));
  assert.ok(isAllowed(writer, { scope: 'namespace', capability: 'submit-job', namespace: 'default' }));
  assert.ok(!isAllowed(writer, { scope: 'namespace', capability: 'read-logs', namespace: 'default' }));
  assert.ok(!isAllowed(writer, { scope: 'namespace', capability: 'alloc-exec', namespace: 'default' }));
  assert.ok(!isAllowed(writer, { scope: 'namespace', capability: 'read-job', namespace: 'prod' }));
});

test('an exact namespace beats a glob, the most literal glob beats "*", deny wins among equals', () => {
  const rules = [
    { ...emptyRules(), namespaces: [{ name: '*', policy: 'write' as const, capabilities: [] }, { name: 'prod-*', policy: 'read' as const, capabilities: [] }] },
    { ...emptyRules(), namespaces: [{ name: 'prod-eu', policy: 'deny' as const, capabilities: [] }] },
  ];
  assert.deepEqual([...namespaceCapabilities(rules, 'dev')].sort(), ['read-job', 'submit-job']);
  assert.deepEqual([...namespaceCapabilities(rules, 'prod-us')], ['read-job']);
  assert.deepEqual([...namespaceCapabilities(rules, 'prod-eu')], []);
});

test('capabilities from several policies add up', () => {
  const id = who({ namespaces: [{ name: 'default', policy: 'read', capabilities: [] }] }, { namespaces: [{ name: 'default', capabilities: ['alloc-exec'] }] });
  assert.ok(isAllowed(id, { scope: 'namespace', capability: 'alloc-exec', namespace: 'default' }));
  assert.ok(isAllowed(id, { scope: 'namespace', capability: 'read-job', namespace: 'default' }));
});

test('service and key prefixes: the longest match decides, write implies read', () => {
  const id = who({ services: [{ prefix: 'web', policy: 'write' }, { prefix: 'web-admin', policy: 'deny' }, { prefix: '', policy: 'read' }], keys: [{ prefix: 'app/', policy: 'read' }] });
  assert.ok(isAllowed(id, { scope: 'service', access: 'write', name: 'web-1' }));
  assert.ok(!isAllowed(id, { scope: 'service', access: 'read', name: 'web-admin-ui' }));
  assert.ok(isAllowed(id, { scope: 'service', access: 'read', name: 'db' }));
  assert.ok(!isAllowed(id, { scope: 'service', access: 'write', name: 'db' }));
  assert.ok(isAllowed(id, { scope: 'key', access: 'read', key: 'app/config' }));
  assert.ok(!isAllowed(id, { scope: 'key', access: 'write', key: 'app/config' }));
  assert.ok(!isAllowed(id, { scope: 'key', access: 'read', key: 'secrets/db' }));
});

test('single scopes, management and public', () => {
  const id = who({ node: 'read', registry: 'write' });
  assert.ok(isAllowed(id, { scope: 'node', access: 'read' }));
  assert.ok(!isAllowed(id, { scope: 'node', access: 'write' }));
  assert.ok(isAllowed(id, { scope: 'registry', access: 'read' }));
  assert.ok(!isAllowed(id, { scope: 'operator', access: 'read' }));
  assert.ok(!isAllowed(id, { scope: 'management' }));
  assert.ok(isAllowed(id, { scope: 'public' }));
  assert.ok(isAllowed({ ...id, management: true }, { scope: 'management' }));
  assert.ok(isAllowed({ ...id, management: true }, { scope: 'namespace', capability: 'alloc-exec', namespace: 'anything' }));
});
