import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeArgv } from '../../src/cli/argv.js';
import { allFlagSpecs } from '../../src/cli/flags.js';
import { resolveAddresses, resolveToken, DEFAULT_ADDRESS } from '../../src/cli/address.js';
import { firstCommandWord } from '../../src/cli/program.js';

const norm = (...args: string[]): string[] => normalizeArgv(args, allFlagSpecs());

test('single-dash long flags become double-dash, with and without =value', () => {
  assert.deepEqual(norm('job', 'run', '-detach', 'x.job'), ['job', 'run', '--detach', 'x.job']);
  assert.deepEqual(norm('-address=http://127.0.0.1:1', 'status'), ['--address=http://127.0.0.1:1', 'status']);
  assert.deepEqual(norm('job', 'status', '-address', 'http://a:1', '-json'), ['job', 'status', '--address', 'http://a:1', '--json']);
  assert.deepEqual(norm('agent', '-dev', '-data-dir=/tmp/x', '-config', 'a.hcl'), ['agent', '--dev', '--data-dir=/tmp/x', '--config', 'a.hcl']);
  assert.deepEqual(norm('--json', '--address=x'), ['--json', '--address=x']);
});

test('single-letter flags stay short; -n=5 splits; -n10 keeps its attached value', () => {
  assert.deepEqual(norm('alloc', 'logs', '-f', '-n', '5', 'abc'), ['alloc', 'logs', '-f', '-n', '5', 'abc']);
  assert.deepEqual(norm('-n=5'), ['-n', '5']);
  assert.deepEqual(norm('-n10', '-c100'), ['-n10', '-c100']);
  assert.deepEqual(norm('-tail', '-stderr'), ['--tail', '--stderr']);
});

test('boolean flags accept Go-style =true / =false', () => {
  assert.deepEqual(norm('-detach=true', 'x'), ['--detach', 'x']);
  assert.deepEqual(norm('-detach=false', 'x'), ['x']);
  assert.deepEqual(norm('-verbose=1'), ['--verbose']);
});

test('everything after -- and plain words are left alone', () => {
  assert.deepEqual(norm('job', 'run', '--', '-weird-file.job'), ['job', 'run', '--', '-weird-file.job']);
  assert.deepEqual(norm('-', '-5'), ['-', '-5']);
});

test('address: -address flag > KILN_ADDR > NOMAD_ADDR > default, comma lists fail over', () => {
  assert.deepEqual(resolveAddresses(undefined, {}), [DEFAULT_ADDRESS]);
  assert.equal(DEFAULT_ADDRESS, 'http://127.0.0.1:4646');
  assert.deepEqual(resolveAddresses(undefined, { NOMAD_ADDR: 'http://n:1' }), ['http://n:1']);
  assert.deepEqual(resolveAddresses(undefined, { NOMAD_ADDR: 'http://n:1', KILN_ADDR: 'http://k:1' }), ['http://k:1']);
  assert.deepEqual(resolveAddresses('http://f:1', { KILN_ADDR: 'http://k:1' }), ['http://f:1']);
  assert.deepEqual(resolveAddresses(undefined, { KILN_ADDR: ' http://a:1 , http://b:1,' }), ['http://a:1', 'http://b:1']);
  assert.deepEqual(resolveAddresses(undefined, { KILN_ADDR: '' }), [DEFAULT_ADDRESS]);
  assert.equal(resolveToken(undefined, { NOMAD_TOKEN: 'n', KILN_TOKEN: 'k' }), 'k');
});

test('firstCommandWord skips global flags and their values', () => {
  assert.equal(firstCommandWord(['--address', 'http://x:1', 'agent', '--dev']), 'agent');
  assert.equal(firstCommandWord(['--address=http://x:1', 'job', 'status']), 'job');
  assert.equal(firstCommandWord(['--help']), undefined);
});
