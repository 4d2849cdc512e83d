import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAllocStatus, formatAddresses } from '../../src/cli/format/alloc-status.js';
import { formatAllocTable } from '../../src/cli/format/allocs.js';
import { describeEvalFailures, describeTaskGroupFailure } from '../../src/cli/format/placement.js';
import { formatPlan, groupLine, planChangesAllocations } from '../../src/cli/format/plan.js';
import { formatRelative, formatTimeNs } from '../../src/cli/format/time.js';
import { EXAMPLE_OUTPUT } from '../../src/cli/docs-examples.js';
import type { JobPlanResponse } from '../../src/api/index.js';
import { T0, metric, nginxAlloc } from './fixtures.js';

const S = 1_000_000_000;
/** "now" such that the alloc was created 28m43s ago, as in the article. */
const NOW_MS = (T0 + (28 * 60 + 43) * S) / 1_000_000;
const opts = { verbose: false, time: (ns: number) => formatTimeNs(ns, 0), ago: (ns: number) => formatRelative(NOW_MS, ns) };

test('alloc status renders exactly the documented example', () => {
  assert.equal(formatAllocStatus(nginxAlloc(), opts), EXAMPLE_OUTPUT['alloc status']);
});

test('a failed allocation waiting for its reschedule shows attempts of the policy and when it will be replaced', () => {
  const base = nginxAlloc({ ClientStatus: 'failed', FollowupEvalID: 'f0110w00-0000-0000-0000-000000000000', RescheduleTracker: { Events: [{ RescheduleTime: T0, PrevAllocID: 'p', PrevNodeID: 'n', Delay: 30 * S }] } as never });
  const waiting = formatAllocStatus(base, { ...opts, rescheduleAt: NOW_MS * 1_000_000 + 25 * S });
  assert.match(waiting, /^Reschedule Attempts\s+= 1$/m, 'a service job reschedules without limit by default');
  const limited = structuredClone(base);
  limited.Job!.TaskGroups[0]!.ReschedulePolicy = { ...limited.Job!.TaskGroups[0]!.ReschedulePolicy, Attempts: 2, Unlimited: false };
  assert.match(formatAllocStatus(limited, { ...opts, rescheduleAt: NOW_MS * 1_000_000 + 25 * S }), /^Reschedule Attempts\s+= 1\/2$/m);
  assert.match(waiting, /^Reschedule Eligibility\s+= 25s from now$/m);
  const replaced = formatAllocStatus({ ...base, NextAllocation: 'n3xt0000-0000-0000-0000-000000000000' }, { ...opts, rescheduleAt: NOW_MS * 1_000_000 + 25 * S });
  assert.doesNotMatch(replaced, /Reschedule Eligibility/);
  assert.match(replaced, /^Replacement Alloc ID\s+= n3xt0000$/m);
});

test('allocation addresses: dynamic flag from the job, -> To only when it differs', () => {
  const alloc = nginxAlloc({
    AllocatedResources: {
      Tasks: {},
      Shared: {
        Ports: [
          { Label: 'http', Value: 22854, To: 80, HostIP: '127.0.0.1' },
          { Label: 'admin', Value: 9000, To: 9000, HostIP: '127.0.0.1' },
        ],
      },
    },
  });
  assert.equal(
    formatAddresses(alloc, alloc.Job?.TaskGroups[0]),
    'Allocation Addresses (mode = "host"):\nLabel   Dynamic  Address\n*http   yes      127.0.0.1:22854 -> 80\n*admin  no       127.0.0.1:9000',
  );
  assert.equal(formatAddresses(nginxAlloc({ AllocatedResources: { Tasks: {}, Shared: { Ports: [] } } }), undefined), undefined);
});

test('allocation table matches the article and the docs example', () => {
  const alloc = nginxAlloc();
  const table = formatAllocTable([alloc], { verbose: false, ago: (ns) => formatRelative(NOW_MS, ns) });
  assert.equal(table, EXAMPLE_OUTPUT['job allocs']);
  const verbose = formatAllocTable([alloc], { verbose: true, ago: (ns) => formatRelative(NOW_MS, ns) });
  assert.match(verbose.split('\n')[0] ?? '', /^ID\s+Eval ID\s+Node ID\s+Node Name\s+Task Group/);
  assert.match(verbose, /636d3241-7a8b-4c2d-9e0f-112233445566/);
});

test('placement failure text follows Nomad, sorted by group and key', () => {
  const lines = describeEvalFailures({
    FailedTGAllocs: {
      web: metric({ CoalescedFailures: 1, NodesExhausted: 1, DimensionExhausted: { memory: 1 } }),
      cache: metric({ NodesEvaluated: 0, NodesAvailable: { dc9: 0 }, ConstraintFiltered: { '${attr.kernel.name} = freebsd': 2 } }),
    },
  });
  assert.deepEqual(lines, [
    'Task Group "cache" (failed to place 1 allocation):',
    '  * No nodes were eligible for evaluation',
    '  * No nodes are available in datacenter "dc9"',
    '  * Constraint "${attr.kernel.name} = freebsd": 2 nodes excluded by filter',
    'Task Group "web" (failed to place 2 allocations):',
    '  * Resources exhausted on 1 nodes',
    '  * Dimension "memory" exhausted on 1 nodes',
  ]);
  assert.deepEqual(describeTaskGroupFailure('g', metric({ ClassFiltered: { gpu: 3 }, ClassExhausted: { big: 1 } })), [
    'Task Group "g" (failed to place 1 allocation):',
    '  * Class "gpu": 3 nodes excluded by filter',
    '  * Class "big" exhausted on 1 nodes',
  ]);
});

test('plan: group lines, markers and exit decision from DesiredTGUpdates', () => {
  const u = (over: Partial<{ Place: number; Stop: number; InPlaceUpdate: number; DestructiveUpdate: number; Ignore: number }>) => ({
    Place: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 0, Ignore: 0, ...over,
  });
  assert.equal(groupLine('cache', u({ Place: 7, InPlaceUpdate: 1 })), '+/- Task Group: "cache" (7 create, 1 in-place update)');
  assert.equal(groupLine('web', u({ Place: 1 })), '+ Task Group: "web" (1 create)');
  assert.equal(groupLine('old', u({ Stop: 2 })), '- Task Group: "old" (2 destroy)');
  assert.equal(groupLine('same', u({ Ignore: 3 })), '  Task Group: "same" (3 ignore)');
  const plan: JobPlanResponse = {
    Diff: { Type: 'Edited' },
    FailedTGAllocs: null,
    Annotations: { DesiredTGUpdates: { group1: u({ Place: 1, Ignore: 1 }) } },
    JobModifyIndex: 7,
    Warnings: '',
  };
  assert.equal(planChangesAllocations(plan), true);
  assert.equal(formatPlan('nginx-minipot', plan, 'nginx.job').join('\n'), EXAMPLE_OUTPUT['job plan']);
  assert.equal(planChangesAllocations({ ...plan, Annotations: { DesiredTGUpdates: { group1: u({ Ignore: 1 }) } } }), false);
  const failing = formatPlan('x', { ...plan, FailedTGAllocs: { group1: metric({ NodesExhausted: 1 }) } }, 'x.job');
  assert.ok(failing.includes('- WARNING: Failed to place all allocations.'));
  assert.ok(failing.includes('    * Resources exhausted on 1 nodes'));
});
