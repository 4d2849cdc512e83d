import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyJob } from '../../src/jobspec/decode-job.js';
import { NextLaunchMemo, dueLaunches, earliestLaunch } from '../../src/server/leader/periodic-due.js';
import { nextLaunch } from '../../src/jobspec/periodic-next.js';
import { DISPATCH_PAYLOAD_LIMIT_BYTES, checkDispatch, dispatchChildId, dispatchedJob, periodicChildId, periodicJob } from '../../src/server/services/dispatch-children.js';
import type { Job, ParameterizedJobConfig, PeriodicConfig } from '../../src/structs/index.js';
import { KilnError } from '../../src/structs/index.js';

const parameterized = (p: Partial<ParameterizedJobConfig> = {}, extra: Partial<Job> = {}): Job => ({
  ...emptyJob('greeter'),
  Type: 'batch',
  Meta: { team: 'ops' },
  ParameterizedJob: { Payload: 'optional', MetaRequired: ['who'], MetaOptional: ['greeting'], ...p },
  ...extra,
});
const periodic = (p: Partial<PeriodicConfig> = {}, extra: Partial<Job> = {}): Job => ({
  ...emptyJob('tick'),
  Type: 'batch',
  Periodic: { Enabled: true, Spec: '', Specs: ['*/5 * * * *'], SpecType: 'cron', ProhibitOverlap: false, TimeZone: 'UTC', ...p },
  ...extra,
});
const input = (payload: string | Buffer, meta: Record<string, string>) => ({ payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), meta });

function refused(job: Job, payload: string | Buffer, meta: Record<string, string>, code: string, message: RegExp): void {
  assert.throws(() => checkDispatch(job, input(payload, meta)), (err: unknown) => {
    assert.ok(err instanceof KilnError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

test('child IDs have Nomad\'s shapes', () => {
  assert.equal(periodicChildId('tick', Date.parse('2026-01-10T10:05:00.700Z')), 'tick/periodic-1768039500');
  assert.equal(dispatchChildId('greeter', 1768039500999, 'cb38d00d'), 'greeter/dispatch-1768039500-cb38d00d');
});

test('a dispatch with required meta, optional meta and a payload is accepted', () => {
  checkDispatch(parameterized(), input('hello', { who: 'world', greeting: 'hi' }));
  checkDispatch(parameterized({ Payload: 'required' }), input('x', { who: 'w' }));
  checkDispatch(parameterized({ Payload: 'forbidden' }), input('', { who: 'w' }));
  checkDispatch(parameterized(), input(Buffer.alloc(DISPATCH_PAYLOAD_LIMIT_BYTES), { who: 'w' }));
});

test('each bad dispatch is refused with what to change', () => {
  refused(emptyJob('plain'), '', {}, 'BAD_REQUEST', /job "plain" is not a parameterized job \(it has no parameterized block\)/);
  refused(parameterized({}, { Dispatched: true }), '', { who: 'w' }, 'BAD_REQUEST', /is not a parameterized job \(it is itself a dispatched job\)/);
  refused(parameterized({}, { Stop: true }), '', { who: 'w' }, 'BAD_REQUEST', /parameterized job "greeter" is stopped/);
  refused(parameterized(), '', {}, 'BAD_REQUEST', /requires meta "who"; add -meta who=<value>/);
  refused(parameterized(), '', { who: 'w', colour: 'red' }, 'BAD_REQUEST', /does not accept meta "colour"; allowed keys: "who", "greeting"/);
  refused(parameterized({ Payload: 'forbidden' }), 'x', { who: 'w' }, 'BAD_REQUEST', /forbids a payload/);
  refused(parameterized({ Payload: 'required' }), '', { who: 'w' }, 'BAD_REQUEST', /requires a payload/);
  refused(parameterized(), Buffer.alloc(DISPATCH_PAYLOAD_LIMIT_BYTES + 1), { who: 'w' }, 'PAYLOAD_TOO_LARGE', /16385 bytes, more than the 16384-byte limit/);
});

test('a dispatched child carries the parent, merged meta and the payload base64', () => {
  const child = dispatchedJob(parameterized(), input('hello', { who: 'world' }), 'greeter/dispatch-1-abcdef01');
  assert.equal(child.ID, 'greeter/dispatch-1-abcdef01');
  assert.equal(child.Name, child.ID);
  assert.equal(child.ParentID, 'greeter');
  assert.equal(child.Dispatched, true);
  assert.deepEqual(child.Meta, { team: 'ops', who: 'world' });
  assert.equal(Buffer.from(child.Payload!, 'base64').toString(), 'hello');
  assert.ok(!('Payload' in dispatchedJob(parameterized(), input('', { who: 'w' }), 'greeter/dispatch-1-00000000')), 'no payload, no field');
});

test('a periodic child drops the periodic block; a non-periodic job cannot be launched', () => {
  const child = periodicJob(periodic(), Date.parse('2026-01-10T10:05:00Z'));
  assert.equal(child.ID, 'tick/periodic-1768039500');
  assert.equal(child.ParentID, 'tick');
  assert.ok(!('Periodic' in child));
  assert.throws(() => periodicJob(emptyJob('plain'), 0), /job "plain" is not periodic/);
});

test('due launches: the latest cron time in the window, per schedulable parent', () => {
  const from = Date.parse('2026-01-10T10:04:59Z');
  const jobs = [
    periodic(),
    periodic({ Specs: ['* * * * * *'] }, { ID: 'every-second' }),
    periodic({ Enabled: false }, { ID: 'disabled' }),
    periodic({}, { ID: 'stopped', Stop: true }),
    emptyJob('plain'),
  ];
  const due = dueLaunches(jobs, from, Date.parse('2026-01-10T10:05:03.500Z'));
  assert.deepEqual(due.map((d) => [d.parent.ID, new Date(d.launchMs).toISOString()]), [
    ['tick', '2026-01-10T10:05:00.000Z'],
    ['every-second', '2026-01-10T10:05:03.000Z'],
  ]);
  assert.deepEqual(dueLaunches(jobs, Date.parse('2026-01-10T10:05:00Z'), Date.parse('2026-01-10T10:05:00.900Z')), [], 'the window excludes its start');
  assert.equal(new Date(earliestLaunch(jobs, from)!).toISOString(), '2026-01-10T10:05:00.000Z');
  assert.equal(earliestLaunch([jobs[2]!, jobs[3]!, jobs[4]!], from), undefined);
});

test('the next-launch memo answers as the pure function does, and forgets a job that changed', () => {
  const memo = new NextLaunchMemo();
  const job = periodic({ Specs: ['*/5 * * * *'], TimeZone: 'Europe/Paris' });
  const start = Date.parse('2026-03-29T00:00:00Z');
  for (let t = start; t < start + 3 * 3600_000; t += 97_000) {
    assert.equal(memo.next(job, t), nextLaunch(job.Periodic!, t), new Date(t).toISOString());
  }
  const changed = { ...job, JobModifyIndex: job.JobModifyIndex + 1, Periodic: { ...job.Periodic!, Specs: ['0 12 * * *'] } };
  assert.equal(new Date(memo.next(changed, start)!).toISOString(), '2026-03-29T10:00:00.000Z');
});
