import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AllocProgress } from '../../src/cli/alloc-watch.js';
import { jobspecError } from '../../src/cli/jobfile.js';
import { pickTask } from '../../src/cli/commands/alloc-logs.js';
import { KilnError } from '../../src/structs/index.js';
import type { Evaluation } from '../../src/structs/index.js';
import { latestFailures } from '../../src/cli/commands/job-status.js';
import { metric, nginxAlloc, nginxJob, runningState } from './fixtures.js';

test('AllocProgress prints new task events and status changes once, and settles', () => {
  const base = nginxAlloc();
  const progress = new AllocProgress([base.ID]);
  const pending = { ...base, ClientStatus: 'pending' as const, TaskStates: { www1: { ...runningState(), State: 'pending' as const, Events: runningState().Events.slice(0, 1) } } };
  const first = progress.update([pending]);
  assert.deepEqual(first.lines, ['Allocation "636d3241" task "www1": Received: Task received by client']);
  assert.equal(first.settled, false);
  assert.deepEqual(first.pending, ['636d3241']);
  const second = progress.update([base]);
  assert.deepEqual(second.lines, [
    'Allocation "636d3241" task "www1": Task Setup: Building Task Directory',
    'Allocation "636d3241" task "www1": Started: Task started by client',
    'Allocation "636d3241" status "running"',
  ]);
  assert.equal(second.settled, true);
  assert.deepEqual(second.failed, []);
  assert.deepEqual(progress.update([base]).lines, []);
});

test('AllocProgress reports a failed allocation with its description', () => {
  const failed = nginxAlloc({ ClientStatus: 'failed', ClientDescription: 'Failed tasks', TaskStates: {} });
  const update = new AllocProgress([failed.ID]).update([failed]);
  assert.deepEqual(update.lines, ['Allocation "636d3241" status "failed": Failed tasks']);
  assert.equal(update.settled, true);
  assert.deepEqual(update.failed, ['636d3241']);
});

test('jobspecError names the local file and lists every problem with line:column', () => {
  const server = new KilnError('JOBSPEC_INVALID', 'x', {
    details: {
      problems: [
        { file: 'job.hcl', line: 3, column: 5, message: 'unknown key "cuont"; did you mean "count"?' },
        { file: 'job.hcl', line: 9, column: 1, message: 'memory must be at least 10' },
      ],
    },
  });
  const err = jobspecError(server, 'nginx.job');
  assert.ok(err instanceof KilnError);
  assert.equal(err.code, 'JOBSPEC_INVALID');
  assert.equal(err.message, 'job file nginx.job has 2 problems:\n  nginx.job:3:5: unknown key "cuont"; did you mean "count"?\n  nginx.job:9:1: memory must be at least 10');
  const other = new KilnError('NOT_FOUND', 'nope');
  assert.equal(jobspecError(other, 'a.job'), other);
});

test('pickTask: the only task by default, a named one checked, several need a name', () => {
  const alloc = nginxAlloc();
  assert.equal(pickTask(alloc, undefined), 'www1');
  assert.equal(pickTask(alloc, 'www1'), 'www1');
  assert.throws(() => pickTask(alloc, 'nope'), /has no task "nope"; its tasks: www1/);
  const job = nginxJob();
  const group = job.TaskGroups[0];
  assert.ok(group);
  const second = group.Tasks[0];
  assert.ok(second);
  group.Tasks.push({ ...second, Name: 'sidecar' });
  assert.throws(() => pickTask(nginxAlloc({ Job: job }), undefined), /has 2 tasks \(sidecar, www1\); name one/);
});

test('job status shows the newest placement failure only while an evaluation is blocked', () => {
  const ev = (over: Partial<Evaluation>): Evaluation => ({
    ID: 'e', Namespace: 'default', Priority: 50, Type: 'service', TriggeredBy: 'job-register', JobID: 'big', JobModifyIndex: 1,
    Status: 'complete', StatusDescription: '', CreateIndex: 1, ModifyIndex: 1, CreateTime: 0, ModifyTime: 0, ...over,
  });
  const old = ev({ CreateIndex: 1, FailedTGAllocs: { web: metric({ NodesExhausted: 3 }) } });
  const newer = ev({ CreateIndex: 2, FailedTGAllocs: { web: metric({ NodesExhausted: 1 }) } });
  const blocked = ev({ CreateIndex: 3, Status: 'blocked' });
  assert.deepEqual(latestFailures([old, blocked, newer], { Stop: false }), ['Task Group "web" (failed to place 1 allocation):', '  * Resources exhausted on 1 nodes']);
  assert.deepEqual(latestFailures([old, newer], { Stop: false }), []);
  assert.deepEqual(latestFailures([old, newer, blocked], { Stop: true }), []);
});

test('AllocProgress keeps showing new events once the client caps the list, and draws downloads as a progress bar', () => {
  const base = nginxAlloc();
  const progress = new AllocProgress([base.ID]);
  const event = (i: number, message: string) => ({ Type: 'Driver' as const, Time: 1_000 + i, Message: message, DisplayMessage: message });
  const withEvents = (events: ReturnType<typeof event>[]) => ({ ...base, ClientStatus: 'pending' as const, TaskStates: { www1: { ...runningState(), State: 'pending' as const, Events: events } } });
  const ten = Array.from({ length: 10 }, (_, i) => event(i, `step ${i}`));
  assert.equal(progress.update([withEvents(ten)]).lines.length, 10);
  const capped = [...ten.slice(1), event(10, 'Downloading image 2.3 MB / 4.6 MB')];
  assert.deepEqual(progress.update([withEvents(capped)]).lines, ['Allocation "636d3241" task "www1": Driver: Downloading image [===============>              ]  50% 2.3 MB / 4.6 MB']);
});
