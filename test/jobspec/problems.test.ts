import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJobFile, type JobspecProblem } from '../../src/jobspec/index.js';
import { KilnError } from '../../src/structs/errors.js';
import { readFixture } from './fixtures.js';

async function problemsOf(text: string, filename = 'bad.job'): Promise<{ error: KilnError; problems: JobspecProblem[] }> {
  try {
    await parseJobFile(text, { filename });
  } catch (err) {
    assert.ok(err instanceof KilnError, 'a KilnError');
    return { error: err, problems: (err.details as { problems: JobspecProblem[] }).problems };
  }
  assert.fail('expected the job file to be rejected');
}

test('a file with many problems reports every one with its line and column', async () => {
  const { error, problems } = await problemsOf(readFixture('many-problems.job'));
  assert.equal(error.code, 'JOBSPEC_INVALID');
  const at = problems.map((p) => `${p.line}:${p.column}`);
  assert.deepEqual(at, [
    '3:3', // priority out of range
    '6:5', // count -1
    '9:22', // static port out of range
    '13:7', // unknown driver
    '14:7', // unknown key
    '18:11', // port_map key not declared
    '23:9', // service port not declared
    '24:9', // check without interval
    '26:11', // bad duration
    '31:9', // cpu as a string
    '32:9', // memory too low
    '36:5', // duplicate task
    '43:5', // bad constraint operator
  ]);
  const messages = problems.map((p) => p.message);
  assert.match(messages[0]!, /priority = 500 is out of range; use 1 to 100/);
  assert.match(messages[3]!, /unknown driver "docker"; use one of: raw_exec, pot/);
  assert.match(messages[4]!, /unknown field "colour" in task "server"/);
  assert.match(messages[5]!, /port "www" but group "web" does not declare it .*add port "www" \{\}/);
  assert.match(messages[6]!, /service "broken-web-server" uses port "https"/);
  assert.match(messages[7]!, /has no "interval"/);
  assert.match(messages[8]!, /"2 seconds" is not a duration/);
  assert.match(messages[9]!, /"cpu" must be a number, not a string; remove the quotes/);
  assert.match(messages[10]!, /memory = 4 MB is too low; use at least 10/);
  assert.match(messages[11]!, /duplicate task "server" in group "web"/);
  assert.match(messages[12]!, /constraint operator "~=" is not supported/);
  for (const p of problems) assert.equal(p.file, 'bad.job');
  const lines = error.message.split('\n');
  assert.equal(lines.length, problems.length);
  assert.equal(lines[0], 'bad.job:3:3: priority = 500 is out of range; use 1 to 100 (default 50)');
});

test('HCL syntax errors become JOBSPEC_PARSE with line and column', async () => {
  const { error, problems } = await problemsOf(readFixture('syntax-error.job'), 'syntax.job');
  assert.equal(error.code, 'JOBSPEC_PARSE');
  assert.deepEqual(problems.map((p) => [p.line, p.column]), [[3, 9]]);
  assert.match(error.message, /^syntax\.job:3:9: Missing item separator; /);
});

test('several syntax errors are all reported, positions inside details do not split them', async () => {
  const text = 'job "x" {\n  a = "b"\n  a = "c"\n  b = [1,\n}\n';
  const { error, problems } = await problemsOf(text);
  assert.equal(error.code, 'JOBSPEC_PARSE');
  assert.deepEqual(problems.map((p) => `${p.line}:${p.column}`), ['3:3', '5:1']);
  assert.match(problems[0]!.message, /^Attribute redefined; The argument "a" was already set at bad\.job:2,3-4\./);
});

test('duplicate groups and ports, missing pieces and wrong types are each reported', async () => {
  const text = [
    'job "dup" {', //                                   1
    '  type = "daemon"', //                             2
    '  group "g" {', //                                 3
    '    network {', //                                 4
    '      port "http" { static = 8080 }', //           5
    '      port "http" {}', //                          6
    '    }', //                                         7
    '    task "t" {', //                                8
    '      config { command = "/bin/true" }', //        9
    '      env = { PORT = "${NOMAD_PORT_web}" }', //    10
    '      kill_timeout = "soon"', //                  11
    '    }', //                                         12
    '    count = -2', //                                13
    '  }', //                                           14
    '  group "g" {}', //                                15
    '}', //                                             16
  ].join('\n');
  const { problems } = await problemsOf(text);
  const summary = problems.map((p) => `${p.line}:${p.column} ${p.message.slice(0, 40)}`);
  assert.deepEqual(
    problems.map((p) => `${p.line}:${p.column}`),
    ['2:3', '6:7', '8:5', '10:15', '11:7', '13:5', '15:3'],
    summary.join('\n'),
  );
  assert.match(problems[0]!.message, /job type "daemon" is not supported/);
  assert.match(problems[1]!.message, /duplicate port "http"/);
  assert.match(problems[2]!.message, /task "t" has no driver; add driver = "raw_exec"/);
  assert.match(problems[3]!.message, /"\$\{NOMAD_PORT_web\}" uses port "web"/);
  assert.match(problems[4]!.message, /"kill_timeout" = "soon" is not a duration/);
  assert.match(problems[5]!.message, /count is -2/);
  assert.match(problems[6]!.message, /duplicate group "g"/);
});

test('a file without a job, or with a check lacking what its type needs, says how to fix it', async () => {
  const none = await problemsOf('variable "x" {}\n');
  assert.match(none.problems[0]!.message, /unknown field "variable"/);
  assert.ok(none.problems.some((p) => /no job found/.test(p.message)));
  const text = [
    'job "c" {',
    '  group "g" {',
    '    task "t" {',
    '      driver = "raw_exec"',
    '      service {',
    '        name = "bad_name"',
    '        check {',
    '          type = "http"',
    '          interval = "0s"',
    '          timeout = "1s"',
    '        }',
    '      }',
    '    }',
    '  }',
    '}',
  ].join('\n');
  const { problems } = await problemsOf(text);
  const messages = problems.map((p) => `${p.line}:${p.column} ${p.message}`);
  assert.ok(messages.some((m) => /^6:9 service name "bad_name" is not valid/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /^7:9 http check .* has no port to probe/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /^7:9 http check .* needs a path/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /^9:11 check interval must be greater than zero/.test(m)), messages.join('\n'));
});
