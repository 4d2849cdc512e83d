import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicy } from '../../src/acl/policy.js';
import { KilnError } from '../../src/structs/index.js';

const FULL = `namespace "default" {
  policy       = "write"
  capabilities = ["alloc-exec"]
}
namespace "ci-*" {
  policy = "read"
}
node {
  policy = "read"
}
service_prefix "web" {
  policy = "write"
}
key_prefix "app/" {
  policy = "read"
}
registry {
  policy = "write"
}
operator {
  policy = "read"
}
`;

test('a policy with every kind of rule decodes into its rules', async () => {
  const rules = await parsePolicy(FULL);
  assert.deepEqual([...rules.namespaces].sort((a, b) => b.name.localeCompare(a.name)), [
    { name: 'default', policy: 'write', capabilities: ['alloc-exec'] },
    { name: 'ci-*', policy: 'read', capabilities: [] },
  ]);
  assert.equal(rules.node, 'read');
  assert.equal(rules.registry, 'write');
  assert.equal(rules.operator, 'read');
  assert.equal(rules.agent, undefined);
  assert.deepEqual(rules.services, [{ prefix: 'web', policy: 'write' }]);
  assert.deepEqual(rules.keys, [{ prefix: 'app/', policy: 'read' }]);
});

async function problemsOf(text: string): Promise<{ line: number; column: number; message: string }[]> {
  const err = await parsePolicy(text, 'bad.hcl').then(
    () => assert.fail('expected the policy to be refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof KilnError);
  assert.equal(err.code, 'ACL_POLICY_INVALID');
  return (err.details as { problems: { line: number; column: number; message: string }[] }).problems;
}

test('HCL syntax errors name the line and column', async () => {
  const problems = await problemsOf('node {\n  policy = \n}\n');
  assert.equal(problems.length, 1);
  assert.deepEqual([problems[0]!.line, problems[0]!.column], [2, 12]);
  assert.match(problems[0]!.message, /expression/i);
});

test('bad rules are all reported at once, each at its line:col', async () => {
  const text = 'node {\n  policy = "admin"\n}\nnamespace "default" {\n  capabilities = ["alloc-exec", "sudo"]\n}\nfirewall {\n  policy = "read"\n}\n';
  const problems = await problemsOf(text);
  assert.deepEqual(
    problems.map((p) => `${p.line}:${p.column}`),
    ['2:3', '5:3', '7:1'],
  );
  assert.match(problems[0]!.message, /"deny", "read" or "write", got "admin"/);
  assert.match(problems[1]!.message, /unknown capability "sudo"/);
  assert.match(problems[2]!.message, /unknown rule "firewall"/);
});

test('the error message itself carries file:line:col for the CLI', async () => {
  const err = await parsePolicy('registry {\n  policy = "push"\n}\n', 'push.hcl').catch((e: unknown) => e as KilnError);
  assert.ok(err instanceof KilnError);
  assert.match(err.message, /push\.hcl:2:3: policy must be/);
});

test('a namespace rule that grants nothing and a label-less service_prefix are refused', async () => {
  const problems = await problemsOf('namespace "x" {\n}\nservice_prefix {\n  policy = "read"\n}\n');
  assert.equal(problems.length, 2);
  assert.match(problems[0]!.message, /grants nothing/);
  assert.match(problems[1]!.message, /needs a label/);
});
