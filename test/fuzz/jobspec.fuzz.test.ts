/**
 * Fuzzing the HCL job parser: random text, mutations of real job files and random values
 * in real fields. Every input must end in a parsed Job or a KilnError with a jobspec code —
 * never another exception, never a hang (the test timeout bounds the whole run).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseJobFile, parseJobJson } from '../../src/jobspec/index.js';
import { KilnError } from '../../src/structs/index.js';
import { anyJson, fuzzRuns, mutationOf, nastyToken } from './support.js';

const fixtures = ['nginx-minipot.job', 'raw-exec-ports.job', 'batch-defaults.job'].map((f) => readFileSync(new URL(`../../../test/fixtures/jobs/${f}`, import.meta.url), 'utf8'));
const JOBSPEC_CODES = new Set(['JOBSPEC_PARSE', 'JOBSPEC_INVALID']);

async function parsesOrRejectsCleanly(text: string): Promise<void> {
  try {
    const parsed = await parseJobFile(text, { filename: 'fuzz.job' });
    assert.equal(typeof parsed.job.ID, 'string');
  } catch (err) {
    if (!(err instanceof KilnError) || !JOBSPEC_CODES.has(err.code)) {
      assert.fail(`parser threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)} for input ${JSON.stringify(text.slice(0, 400))}`);
    }
    assert.ok(err.message.length > 0 && err.message.length < 64 * 1024, 'error message is present and bounded');
  }
}

test('mutated article and fixture job files parse or fail with a jobspec error', async () => {
  for (const base of fixtures) {
    await fc.assert(fc.asyncProperty(mutationOf(base), parsesOrRejectsCleanly), { numRuns: fuzzRuns(1500) });
  }
});

test('arbitrary text (printable, unicode, binary) never crashes the parser', async () => {
  const text = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.array(nastyToken, { maxLength: 60 }).map((t) => t.join('')));
  await fc.assert(fc.asyncProperty(text, parsesOrRejectsCleanly), { numRuns: fuzzRuns(2000) });
});

test('random values in real job fields are rejected with a jobspec error, not a crash', async () => {
  const hclValue = fc.oneof(
    fc.integer().map(String),
    fc.double({ noNaN: true }).map((d) => (Number.isFinite(d) ? String(d) : '1')),
    fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null', '[]', '{}', '["a", 1]', '{ a = 1 }', '"${NOMAD_PORT_http}"', '"-1s"', '"10x"'),
  );
  const field = fc.constantFrom('count', 'driver', 'cpu', 'memory', 'port', 'interval', 'timeout', 'attempts', 'delay', 'mode', 'max_parallel', 'canary', 'datacenters', 'type', 'priority', 'command', 'args', 'tags', 'name', 'static', 'to');
  const job = fc.record({ group: fc.array(fc.tuple(field, hclValue), { maxLength: 4 }), task: fc.array(fc.tuple(field, hclValue), { maxLength: 4 }), job: fc.array(fc.tuple(field, hclValue), { maxLength: 3 }) }).map(
    (f) => {
      const lines = (xs: [string, string][]) => xs.map(([k, v]) => `${k} = ${v}`).join('\n');
      return `job "fz" {\n${lines(f.job)}\n group "g" {\n${lines(f.group)}\n  task "t" {\n   driver = "raw_exec"\n   config { command = "/bin/true" }\n${lines(f.task)}\n  }\n }\n}\n`;
    },
  );
  await fc.assert(fc.asyncProperty(job, parsesOrRejectsCleanly), { numRuns: fuzzRuns(2000) });
});

test('arbitrary JSON job bodies fail with a clear error, not a crash', () => {
  const body = fc.oneof(anyJson, fc.record({ Job: anyJson }), fc.record({ Job: fc.record({ ID: fc.string(), TaskGroups: anyJson, Type: anyJson }) }));
  fc.assert(
    fc.property(body, (b) => {
      try {
        parseJobJson(typeof b === 'object' && b !== null ? b : JSON.stringify(b), { filename: 'fuzz.json' });
      } catch (err) {
        if (!(err instanceof KilnError) || !JOBSPEC_CODES.has(err.code)) assert.fail(`JSON decoding threw ${String(err)} for ${JSON.stringify(b)?.slice(0, 300)}`);
      }
    }),
    { numRuns: fuzzRuns(2000) },
  );
});
