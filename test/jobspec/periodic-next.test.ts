import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronProblem, nextLaunch } from '../../src/jobspec/periodic-next.js';
import type { PeriodicConfig } from '../../src/structs/job.js';

const periodic = (specs: string[], zone = 'UTC', rest: Partial<PeriodicConfig> = {}): PeriodicConfig => ({
  Enabled: true, Spec: '', Specs: specs, SpecType: 'cron', ProhibitOverlap: false, TimeZone: zone, ...rest,
});
const at = (iso: string): number => Date.parse(iso);
const next = (p: PeriodicConfig, iso: string): string | undefined => {
  const n = nextLaunch(p, at(iso));
  return n === undefined ? undefined : new Date(n).toISOString();
};

test('next launch is strictly after the given time', () => {
  assert.equal(next(periodic(['*/5 * * * *']), '2026-01-10T10:02:13Z'), '2026-01-10T10:05:00.000Z');
  assert.equal(next(periodic(['*/5 * * * *']), '2026-01-10T10:05:00Z'), '2026-01-10T10:10:00.000Z', 'a launch time itself is not "next"');
  assert.equal(next(periodic(['* * * * * *']), '2026-01-10T10:05:00.400Z'), '2026-01-10T10:05:01.000Z', 'six fields: seconds first');
});

test('with several crons the earliest wins; the older Spec counts too', () => {
  const p = periodic(['0 12 * * *'], 'UTC', { Spec: '30 9 * * *' });
  assert.equal(next(p, '2026-01-10T08:00:00Z'), '2026-01-10T09:30:00.000Z');
  assert.equal(next(p, '2026-01-10T10:00:00Z'), '2026-01-10T12:00:00.000Z');
});

test('times are read in the job\'s zone, following its daylight saving changes', () => {
  const daily = periodic(['0 9 * * *'], 'America/New_York');
  assert.equal(next(daily, '2026-03-07T15:00:00Z'), '2026-03-08T13:00:00.000Z', '09:00 EDT on the day clocks go forward');
  assert.equal(next(daily, '2026-01-10T15:00:00Z'), '2026-01-11T14:00:00.000Z', '09:00 EST in winter');
  const paris = periodic(['0 9 * * *'], 'Europe/Paris');
  assert.equal(next(paris, '2026-03-28T12:00:00Z'), '2026-03-29T07:00:00.000Z', '09:00 CEST after the March change');
});

test('a time skipped by the spring-forward gap launches once, right after the gap', () => {
  const p = periodic(['30 2 * * *'], 'America/New_York');
  assert.equal(next(p, '2026-03-08T05:00:00Z'), '2026-03-08T07:30:00.000Z', '02:30 does not exist on 8 March; 03:30 EDT');
  assert.equal(next(p, '2026-03-08T07:30:00Z'), '2026-03-09T06:30:00.000Z', 'then 02:30 EDT the next day');
});

test('a time repeated by the fall-back change launches once', () => {
  const p = periodic(['30 1 * * *'], 'America/New_York');
  const first = nextLaunch(p, at('2026-11-01T04:00:00Z'));
  assert.equal(new Date(first!).toISOString(), '2026-11-01T05:30:00.000Z', '01:30 EDT, the first of the two');
  const second = nextLaunch(p, first!);
  assert.equal(new Date(second!).toISOString(), '2026-11-02T06:30:00.000Z', 'not again at 01:30 EST the same night');
});

test('a disabled block or one without crons never launches', () => {
  assert.equal(nextLaunch(periodic(['* * * * *'], 'UTC', { Enabled: false }), at('2026-01-10T00:00:00Z')), undefined);
  assert.equal(nextLaunch(periodic([]), at('2026-01-10T00:00:00Z')), undefined);
});

test('cronProblem accepts 5 and 6 fields and predefined names, rejects the rest', () => {
  for (const ok of ['*/5 * * * *', '* * * * * *', '@daily', '0 9 * * mon-fri']) assert.equal(cronProblem(ok), undefined, ok);
  for (const bad of ['', '* * *', '0 0 0 1 1 * 2030', '61 * * * *', 'whenever', '0 0 31 2 *']) assert.ok(cronProblem(bad), bad);
});
