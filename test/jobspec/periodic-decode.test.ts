import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJobFile, parseJobJson } from '../../src/jobspec/index.js';
import { KilnError } from '../../src/structs/errors.js';

const job = (blocks: string, opts: { type?: string; task?: string } = {}): string => `job "report" {
  type = "${opts.type ?? 'batch'}"
${blocks}
  group "g" {
    task "t" {
      driver = "raw_exec"
      config { command = "/bin/true" }
${opts.task ?? ''}
    }
  }
}`;

async function problemsOf(text: string): Promise<string[]> {
  try {
    await parseJobFile(text, { filename: 'report.job' });
  } catch (err) {
    assert.ok(err instanceof KilnError, String(err));
    return err.message.split('\n');
  }
  assert.fail('expected the job file to be rejected');
}

test('periodic: crons, prohibit_overlap, time_zone and enabled become Nomad\'s PeriodicConfig', async () => {
  const { job: parsed } = await parseJobFile(
    job('  periodic {\n    crons = ["*/5 * * * *", "0 3 * * 1"]\n    prohibit_overlap = true\n    time_zone = "Europe/Paris"\n  }'),
    { filename: 'report.job' },
  );
  assert.deepEqual(parsed.Periodic, {
    Enabled: true, Spec: '', Specs: ['*/5 * * * *', '0 3 * * 1'], SpecType: 'cron', ProhibitOverlap: true, TimeZone: 'Europe/Paris',
  });
  assert.equal(parsed.ParameterizedJob, undefined);
});

test('periodic: the older single cron is kept in Spec, with Nomad\'s defaults for the rest', async () => {
  const { job: parsed } = await parseJobFile(job('  periodic {\n    cron = "@hourly"\n  }'), { filename: 'report.job' });
  assert.deepEqual(parsed.Periodic, { Enabled: true, Spec: '@hourly', Specs: [], SpecType: 'cron', ProhibitOverlap: false, TimeZone: 'UTC' });
});

test('a job without the blocks has no Periodic or ParameterizedJob field at all', async () => {
  const { job: parsed } = await parseJobFile(job(''), { filename: 'report.job' });
  assert.ok(!('Periodic' in parsed) && !('ParameterizedJob' in parsed));
  assert.ok(!('DispatchPayload' in parsed.TaskGroups[0]!.Tasks[0]!));
});

test('an invalid cron or an unknown time zone is a parse error at its line and column', async () => {
  const problems = await problemsOf(job('  periodic {\n    crons = ["*/5 * * * *", "61 * * * *"]\n    time_zone = "Mars/Olympus_Mons"\n  }'));
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0]!, /^report\.job:4:5: cron "61 \* \* \* \*" is invalid \(.*\); write e\.g\./);
  assert.match(problems[1]!, /^report\.job:5:5: time_zone "Mars\/Olympus_Mons" is not a known IANA time zone/);
});

test('cron expressions with the wrong number of fields, impossible dates or garbage are rejected', async () => {
  for (const bad of ['* * * *', '0 0 0 1 1 * 2030', 'every day', '0 0 30 2 *']) {
    const problems = await problemsOf(job(`  periodic {\n    cron = "${bad}"\n  }`));
    assert.equal(problems.length, 1, `${bad}: ${problems.join('\n')}`);
    assert.match(problems[0]!, /^report\.job:4:5: cron ".*" (has \d+ fields|is invalid)/, bad);
  }
});

test('periodic on a service job, both cron and crons, no expression at all: each named', async () => {
  const [typeProblem] = await problemsOf(job('  periodic {\n    crons = ["@daily"]\n  }', { type: 'service' }));
  assert.match(typeProblem!, /report\.job:3:3: periodic needs a batch job, not "service"/);
  const [both] = await problemsOf(job('  periodic {\n    cron = "@daily"\n    crons = ["@hourly"]\n  }'));
  assert.match(both!, /report\.job:4:5: periodic has both cron and crons/);
  const [none] = await problemsOf(job('  periodic {\n    prohibit_overlap = true\n  }'));
  assert.match(none!, /report\.job:3:3: periodic needs crons = \["…"\]/);
});

test('parameterized: payload mode and meta lists; defaults as Nomad (payload optional)', async () => {
  const { job: parsed } = await parseJobFile(
    job('  parameterized {\n    payload = "required"\n    meta_required = ["who"]\n    meta_optional = ["greeting"]\n  }', {
      task: '      dispatch_payload {\n        file = "input/payload.txt"\n      }',
    }),
    { filename: 'report.job' },
  );
  assert.deepEqual(parsed.ParameterizedJob, { Payload: 'required', MetaRequired: ['who'], MetaOptional: ['greeting'] });
  assert.deepEqual(parsed.TaskGroups[0]!.Tasks[0]!.DispatchPayload, { File: 'input/payload.txt' });
  const { job: plain } = await parseJobFile(job('  parameterized {}'), { filename: 'report.job' });
  assert.deepEqual(plain.ParameterizedJob, { Payload: 'optional', MetaRequired: [], MetaOptional: [] });
});

test('parameterized: a bad payload mode, a key in both lists, periodic too, an escaping payload file', async () => {
  const problems = await problemsOf(
    job('  periodic {\n    cron = "@daily"\n  }\n  parameterized {\n    payload = "sometimes"\n    meta_required = ["a"]\n    meta_optional = ["a"]\n  }', {
      task: '      dispatch_payload {\n        file = "../../etc/passwd"\n      }',
    }),
  );
  assert.equal(problems.length, 4, problems.join('\n'));
  assert.match(problems[0]!, /report\.job:6:3: a job is either periodic or parameterized, not both/);
  assert.match(problems[1]!, /report\.job:7:5: "payload" is "sometimes"; use one of "optional", "required", "forbidden"/);
  assert.match(problems[2]!, /report\.job:9:5: meta key\(s\) "a" are both required and optional/);
  assert.match(problems[3]!, /report\.job:16:9: dispatch_payload file "\.\.\/\.\.\/etc\/passwd" must stay inside the task's local\/ directory/);
});

test('Nomad API JSON carries Periodic, ParameterizedJob and DispatchPayload through the same decoder', () => {
  const { job: parsed, warnings } = parseJobJson({
    Job: {
      ID: 'report', Type: 'batch',
      Periodic: { Enabled: true, Spec: '', Specs: ['*/5 * * * *'], SpecType: 'cron', ProhibitOverlap: true, TimeZone: 'America/New_York' },
      TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: '/bin/true' }, DispatchPayload: { File: 'in.txt' } }] }],
    },
  });
  assert.deepEqual(warnings, []);
  assert.deepEqual(parsed.Periodic?.Specs, ['*/5 * * * *']);
  assert.equal(parsed.Periodic?.TimeZone, 'America/New_York');
  assert.deepEqual(parsed.TaskGroups[0]!.Tasks[0]!.DispatchPayload, { File: 'in.txt' });
  assert.throws(
    () => parseJobJson({ Job: { ID: 'x', Type: 'batch', Periodic: { Specs: ['nope'] }, TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'raw_exec' }] }] } }),
    (err: unknown) => err instanceof KilnError && /Job\.Periodic\.Specs: cron "nope"/.test(err.message),
  );
});
