import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runKiln } from './helpers.js';
import { deadAddress } from '../api/fake-server.js';

test('unknown command suggests the closest one and exits 1', async () => {
  const r = await runKiln(['jb', 'status']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown command 'jb'/);
  assert.match(r.stderr, /Did you mean job\?/);
});

test('option errors spell flags with one dash, as the help and Nomad do', async () => {
  const unknown = await runKiln(['node', 'status', '-self2']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown option '-self2'/);
  const typo = await runKiln(['job', 'run', '-detatch', 'x.job']);
  assert.match(typo.stderr, /unknown option '-detatch'\n\(Did you mean -detach\?\)/);
  const missing = await runKiln(['job', 'status', '-address']);
  assert.match(missing.stderr, /option '-address <addr>' argument missing/);
  assert.doesNotMatch(unknown.stderr + typo.stderr + missing.stderr, /--[a-z]/);
});

test('a job file where a command belongs (kiln job nginx.job) points at kiln job run', async () => {
  for (const args of [['job', 'nginx.job'], ['job', './jobs/web.hcl'], ['/tmp/web.nomad']]) {
    const r = await runKiln(args);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`unknown command '${args.at(-1)!.replace(/\./g, '\\.')}'\n\\(To submit a job file: kiln job run ${args.at(-1)!.replace(/\./g, '\\.')}\\)`));
  }
  assert.doesNotMatch((await runKiln(['jb', 'status'])).stderr, /To submit/);
});

test("Nomad's older spellings the article uses (kiln run / stop / plan / validate) are the job commands, hidden from help", async () => {
  const dead = await deadAddress();
  for (const [legacy, current] of [[['run', '/nonexistent.job'], ['job', 'run', '/nonexistent.job']], [['stop', 'web'], ['job', 'stop', 'web']], [['validate', '/nonexistent.job'], ['job', 'validate', '/nonexistent.job']]]) {
    const [a, b] = [await runKiln(legacy!, { address: dead }), await runKiln(current!, { address: dead })];
    assert.deepEqual([a.code, a.stderr], [b.code, b.stderr], `kiln ${legacy!.join(' ')} behaves as kiln ${current!.join(' ')}`);
    assert.doesNotMatch(a.stderr, /unknown command/);
  }
  const help = await runKiln(['-help']);
  assert.doesNotMatch(help.stdout + help.stderr, /^\s+run\b/m);
});

test('an unreachable server is one Error: line without a stack, exit 1', async () => {
  const address = await deadAddress();
  const r = await runKiln(['job', 'status', '-json'], { address });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `Error: cannot reach kiln server at ${address}: connection refused; is \`kiln agent -dev\` running? set -address or KILN_ADDR\n`);
  assert.equal(r.stdout, '');
});

test('the -address flag wins over KILN_ADDR', async () => {
  const dead = await deadAddress();
  const r = await runKiln([`-address=${dead}`, 'node', 'status'], { address: 'http://127.0.0.1:1' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`at ${dead.replace(/[.:/]/g, '\\$&')}:`));
});

test('version prints the package version', async () => {
  const r = await runKiln(['version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^kiln v\d+\.\d+\.\d+\n$/);
  const dashed = await runKiln(['-version']);
  assert.equal(dashed.stdout, r.stdout);
});

test('a missing job file is reported with its path, exit 1', async () => {
  const r = await runKiln(['job', 'run', '/nonexistent/kiln-test.job'], { address: 'http://127.0.0.1:1' });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error: cannot read job file "/nonexistent/kiln-test.job": no such file\n');
});
