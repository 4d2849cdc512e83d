/**
 * Fuzzing the periodic, parameterized and dispatch_payload blocks: random values in
 * their fields (HCL and Nomad JSON) end in a parsed Job or a jobspec KilnError, never
 * another exception; and any periodic block that parses has a next launch that is
 * strictly later than the time asked about.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseJobFile, parseJobJson } from '../../src/jobspec/index.js';
import { nextLaunch } from '../../src/jobspec/periodic-next.js';
import { KilnError } from '../../src/structs/index.js';
import { anyJson, fuzzRuns } from '../fuzz/support.js';

const JOBSPEC_CODES = new Set(['JOBSPEC_PARSE', 'JOBSPEC_INVALID']);

function cleanRejection(err: unknown, input: string): void {
  if (!(err instanceof KilnError) || !JOBSPEC_CODES.has(err.code)) assert.fail(`threw ${String(err)} for ${input.slice(0, 400)}`);
}

const cronField = fc.oneof(
  fc.constantFrom('*', '*/5', '0', '59', '60', '1-5', '5-1', 'mon', 'jan', '?', 'L', '#', ',', '-', '/', '*/0', '99999999999'),
  fc.integer({ min: -5, max: 70 }).map(String),
);
const cronText = fc.oneof(
  fc.array(cronField, { minLength: 1, maxLength: 7 }).map((f) => f.join(' ')),
  fc.constantFrom('@daily', '@hourly', '@yearly', '@reboot', '@', ''),
  fc.string({ maxLength: 20 }),
);
const hclValue = fc.oneof(
  cronText.map((c) => JSON.stringify(c)),
  fc.array(cronText, { maxLength: 3 }).map((cs) => `[${cs.map((c) => JSON.stringify(c)).join(', ')}]`),
  fc.constantFrom('true', 'false', '1', '"UTC"', '"Europe/Paris"', '"Nowhere/Else"', '""', '{}', '[]', '"optional"', '"required"', '"forbidden"', '"../x"', '"a/b.txt"'),
);
const periodicKey = fc.constantFrom('cron', 'crons', 'prohibit_overlap', 'time_zone', 'enabled', 'spec_type');
const parameterizedKey = fc.constantFrom('payload', 'meta_required', 'meta_optional');

const block = (name: string, fields: [string, string][]): string => `  ${name} {\n${[...new Map(fields)].map(([k, v]) => `    ${k} = ${v}`).join('\n')}\n  }`;

test('random periodic / parameterized / dispatch_payload blocks parse or fail with a jobspec error', async () => {
  const job = fc.record({
    periodic: fc.option(fc.array(fc.tuple(periodicKey, hclValue), { maxLength: 4 })),
    parameterized: fc.option(fc.array(fc.tuple(parameterizedKey, hclValue), { maxLength: 3 })),
    file: fc.option(hclValue),
    type: fc.constantFrom('batch', 'service', 'sysbatch'),
  });
  await fc.assert(
    fc.asyncProperty(job, async (j) => {
      const blocks = [j.periodic && block('periodic', j.periodic), j.parameterized && block('parameterized', j.parameterized)].filter(Boolean).join('\n');
      const payload = j.file === null ? '' : `   dispatch_payload {\n     file = ${j.file}\n   }\n`;
      const text = `job "fz" {\n  type = "${j.type}"\n${blocks}\n group "g" {\n  task "t" {\n   driver = "raw_exec"\n   config { command = "/bin/true" }\n${payload}  }\n }\n}\n`;
      try {
        const { job: parsed } = await parseJobFile(text, { filename: 'fz.job' });
        if (parsed.Periodic) {
          const at = Date.parse('2026-06-01T12:00:00Z');
          const next = nextLaunch(parsed.Periodic, at);
          assert.ok(next === undefined || next > at, `next launch ${next} not after ${at} for ${text}`);
        }
      } catch (err) {
        cleanRejection(err, text);
      }
    }),
    { numRuns: fuzzRuns(600) },
  );
});

test('arbitrary JSON in Periodic, ParameterizedJob and DispatchPayload fails cleanly', () => {
  const body = fc.record({ Periodic: anyJson, ParameterizedJob: anyJson, DispatchPayload: anyJson });
  fc.assert(
    fc.property(body, (b) => {
      const job = { ID: 'fz', Type: 'batch', Periodic: b.Periodic, ParameterizedJob: b.ParameterizedJob, TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'raw_exec', DispatchPayload: b.DispatchPayload }] }] };
      try {
        parseJobJson({ Job: job }, { filename: 'fz.json' });
      } catch (err) {
        cleanRejection(err, JSON.stringify(b));
      }
    }),
    { numRuns: fuzzRuns(1000) },
  );
});
