import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseJobFile, parseJobJson, type JobspecProblem } from '../../src/jobspec/index.js';
import { checkDriverConfig } from '../../src/drivers/config-schemas.js';
import { parsePotConfig, POT_CONFIG_KEYS } from '../../src/drivers/pot/config.js';
import { parseRawExecConfig } from '../../src/drivers/raw-exec/config.js';
import { KilnError } from '../../src/structs/errors.js';
import { readFixture } from './fixtures.js';

const repoFile = (rel: string): string => readFileSync(fileURLToPath(new URL(`../../../${rel}`, import.meta.url)), 'utf8');

function rejected(fn: () => unknown): KilnError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof KilnError, `a KilnError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

async function problemsOf(text: string): Promise<JobspecProblem[]> {
  try {
    await parseJobFile(text, { filename: 'bad.nomad' });
  } catch (err) {
    assert.ok(err instanceof KilnError && err.code === 'JOBSPEC_INVALID', String(err));
    return (err.details as { problems: JobspecProblem[] }).problems;
  }
  assert.fail('expected the job file to be rejected');
}

test('a bad pot/raw_exec config block: every problem with its line, task and config field path, and how to fix it', async () => {
  const problems = await problemsOf(readFixture('bad-pot-config.job'));
  const lines = problems.map((p) => `${p.line}:${p.column} ${p.message}`);
  const www = 'job "nginx-minipot" group "group1" task "www1": ';
  const expected = [
    `10:7 ${www}config.tag is required: the image tag, e.g. "1.1.13"`,
    `10:7 ${www}config.command is required when "args" is given`,
    `11:9 ${www}config.image must be a string (an image URL such as "https://potluck.honeyguide.net/nginx-nomad"`,
    `13:9 ${www}config.bogus is not a pot option; known options: image, pot, tag, digest, command, args, port_map, network_mode,`,
    `14:9 ${www}config.args[1] must be a string; got a number`,
    `16:11 ${www}config.port_map.http must be a port number 1-65535 inside the jail, e.g. "80"; got "eighty"`,
    `18:9 ${www}config.network_mode "alias" is not supported: a jail with an address on the node's own interface`,
    '23:7 job "nginx-minipot" group "group1" task "sidecar": config.command is required: the program to run, e.g. command = "/bin/sleep"',
    '24:9 job "nginx-minipot" group "group1" task "sidecar": config.args must be a list of strings (e.g. args = ["10"]); got "10"',
  ];
  assert.equal(lines.length, expected.length, lines.join('\n'));
  expected.forEach((want, i) => assert.ok(lines[i]!.startsWith(want), `problem ${i}:\n  got  ${lines[i]}\n  want ${want}…`));
  assert.match(lines[2]!, /; got a number$/);
});

test('every pot option the docs list validates; a driver kiln does not ship is left to its node', async () => {
  const { job } = await parseJobFile(readFixture('pot-all-options.job'), { filename: 'ok.nomad', knownDrivers: ['raw_exec', 'pot', 'exec'] });
  const task = (name: string) => job.TaskGroups[0]!.Tasks.find((t) => t.Name === name)!;
  const [www, host, other] = [task('www'), task('host'), task('other')];
  const pc = parsePotConfig(www.Config);
  assert.deepEqual(pc.portMap, { http: 80, admin: 8080 });
  assert.equal(pc.digest, 'a'.repeat(64));
  assert.deepEqual(pc.mounts, [{ host: '/srv/data', jail: '/data', readOnly: false }, { host: '/etc/ssl', jail: '/etc/ssl', readOnly: true }]);
  assert.deepEqual(pc.attributes, { 'no-tmpfs': 'YES', 'node-access': 'YES' });
  assert.equal(parsePotConfig(host.Config).networkMode, 'host');
  assert.deepEqual(other.Config, { anything: ['goes', 1] });
  assert.equal(checkDriverConfig('exec', other.Config), undefined);
});

test('the article job file and every job file in examples/ and the fixtures still validate unchanged', async () => {
  const files = ['examples/nginx.job', 'examples/raw-exec-web.job', ...['nginx-minipot.job', 'nginx-minipot-curly.job', 'raw-exec-ports.job', 'batch-defaults.job'].map((f) => `test/fixtures/jobs/${f}`)];
  for (const f of files) await parseJobFile(repoFile(f), { filename: f });
  const { job } = await parseJobFile(repoFile('examples/nginx.job'), { filename: 'nginx.job' });
  const pc = parsePotConfig(job.TaskGroups[0]!.Tasks[0]!.Config);
  assert.deepEqual([pc.image, pc.pot, pc.tag, pc.command, pc.args, pc.portMap], [
    'https://potluck.honeyguide.net/nginx-nomad', 'nginx-nomad-amd64-13_1', '1.1.13', 'nginx', ['-g', "'daemon off;'"], { http: 80 },
  ]);
});

test('a port_map that is not a map is reported once, by the driver schema', async () => {
  const text = readFixture('nginx-minipot.job').replace(/port_map = \{[^}]*\}/, 'port_map = "80"');
  const problems = (await problemsOf(text)).filter((p) => p.message.includes('port_map'));
  assert.deepEqual(problems.map((p) => p.message), [
    'job "nginx-minipot" group "group1" task "www1": config.port_map must be a map of port label to port inside the jail (e.g. port_map = { http = "80" }); got "80"',
  ]);
});

test('JSON jobs (the API, job register) get the same check, naming the API field', () => {
  const apiJob = {
    ID: 'j', Datacenters: ['dc1'],
    TaskGroups: [{ Name: 'g', Networks: [{ DynamicPorts: [{ Label: 'http' }] }], Tasks: [{ Name: 't', Driver: 'pot', Config: { image: 'u', pot: 'p', tag: 't', bogus: true } }] }],
  };
  const err = rejected(() => parseJobJson({ Job: apiJob }));
  assert.equal(err.code, 'JOBSPEC_INVALID');
  assert.match(err.message, /job "j" group "g" task "t": config\.bogus is not a pot option; known options: image, pot, tag/);
});

test('the driver parses with the same schema: the same messages at run time, as a DRIVER_ERROR', () => {
  const bad = { image: 3, pot: 'p', tag: 't', bogus: true };
  const err = rejected(() => parsePotConfig(bad));
  assert.equal(err.code, 'DRIVER_ERROR');
  const fromSchema = checkDriverConfig('pot', bad)!.map((p) => p.message);
  assert.equal(fromSchema.length, 2);
  assert.equal(err.message, `pot config is invalid: ${fromSchema.join('; ')}`);
  const late = { image: 'u', pot: 'p', tag: 't', port_map: { http: '${NOMAD_META_port}' } };
  assert.deepEqual(checkDriverConfig('pot', late), [], 'a ${…} port is checked once interpolated');
  assert.match(rejected(() => parsePotConfig(late)).message, /config\.port_map\.http must be a port number 1-65535 inside the jail; got "\$\{NOMAD_META_port\}"/);
  assert.match(rejected(() => parseRawExecConfig({ command: '' })).message, /raw_exec config is invalid: config\.command must not be empty/);
  assert.deepEqual(parseRawExecConfig({ command: '/bin/sleep', args: ['1'] }), { command: '/bin/sleep', args: ['1'] });
  assert.deepEqual(checkDriverConfig('pot', 'nginx')!.map((p) => p.message), ['config must be a map of pot options (e.g. config { image = "…" pot = "…" tag = "…" }); got "nginx"']);
});

test('docs/pot-driver.md lists exactly the schema\'s options', () => {
  const table = repoFile('docs/pot-driver.md').split('## Task config')[1]!.split('\n## ')[0]!;
  const documented = new Set<string>();
  for (const line of table.split('\n').filter((l) => l.startsWith('| `'))) {
    for (const m of line.split('|')[1]!.matchAll(/`([a-z_]+)`/g)) documented.add(m[1]!);
  }
  assert.deepEqual([...documented].sort(), [...POT_CONFIG_KEYS].sort());
});
