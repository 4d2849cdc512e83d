import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALLOC_MIGRATING, migrationHealthy, planDrains, type DrainInput } from '../../src/scheduler/drain.js';
import type { Allocation, DrainStrategy, Job, Node } from '../../src/structs/index.js';
import { NS_PER_S } from '../../src/structs/index.js';
import { mockGroup, mockJob, mockNode } from './fixtures.js';

const NOW = 1_000_000 * NS_PER_S;
const LONG_AGO = new Date((NOW - 3600 * NS_PER_S) / 1e6).toISOString();
const JUST_NOW = new Date(NOW / 1e6).toISOString();

const drainSpec = (overrides: Partial<DrainStrategy> = {}): DrainStrategy => ({ Deadline: 3600 * NS_PER_S, IgnoreSystemJobs: false, ForceDeadline: NOW + 3600 * NS_PER_S, StartedAt: NOW, ...overrides });

let seq = 0;
function alloc(job: Job, node: Node, index: number, overrides: Partial<Allocation> = {}): Allocation {
  seq++;
  return {
    ID: `alloc-${seq}`, EvalID: 'e', Name: `${job.ID}.${job.TaskGroups[0]!.Name}[${index}]`, Namespace: 'default', NodeID: node.ID, NodeName: node.Name,
    JobID: job.ID, JobVersion: 0, TaskGroup: job.TaskGroups[0]!.Name, AllocatedResources: { Tasks: {}, Shared: { Ports: [] } },
    DesiredStatus: 'run', DesiredDescription: '', ClientStatus: 'running', ClientDescription: '',
    TaskStates: { server: { State: 'running', Failed: false, Restarts: 0, StartedAt: LONG_AGO, Events: [] } },
    CreateIndex: seq, ModifyIndex: seq, AllocModifyIndex: seq, CreateTime: 0, ModifyTime: 0, ...overrides,
  };
}

function input(jobs: Job[], allocs: Allocation[], draining: Node[], nowNs = NOW): DrainInput {
  return {
    nowNs,
    draining,
    allocsByNode: (id) => allocs.filter((a) => a.NodeID === id),
    job: (_ns, id) => jobs.find((j) => j.ID === id),
    allocsByJob: (_ns, id) => allocs.filter((a) => a.JobID === id),
  };
}

const migrate = { MaxParallel: 1, HealthCheck: 'task_states' as const, MinHealthyTime: 10 * NS_PER_S, HealthyDeadline: 300 * NS_PER_S };

test('a service group moves max_parallel allocations at a time, and the next only once replacements are healthy', () => {
  const draining = mockNode({ Drain: true, DrainStrategy: drainSpec() });
  const other = mockNode();
  const job = mockJob({ ID: 'web', TaskGroups: [mockGroup({ Count: 3, Migrate: migrate })] });
  const allocs = [0, 1, 2].map((i) => alloc(job, draining, i));
  const [first] = planDrains(input([job], allocs, [draining]));
  assert.deepEqual(first!.migrate.map((a) => a.Name), ['web.web[0]'], 'one at a time, lowest index first');
  assert.equal(first!.complete, false);

  // The first one stopped; its replacement runs but has not been healthy for min_healthy_time yet.
  allocs[0] = { ...allocs[0]!, DesiredStatus: 'stop', DesiredDescription: ALLOC_MIGRATING };
  const fresh = alloc(job, other, 0, { TaskStates: { server: { State: 'running', Failed: false, Restarts: 0, StartedAt: JUST_NOW, Events: [] } } });
  allocs.push(fresh);
  assert.deepEqual(planDrains(input([job], allocs, [draining]))[0]!.migrate, [], 'waits for the replacement to be healthy');
  assert.deepEqual(planDrains(input([job], allocs, [draining], NOW + 11 * NS_PER_S))[0]!.migrate.map((a) => a.Name), ['web.web[1]']);
});

test('max_parallel 2 moves two at once; an unhealthy group moves nothing until the deadline, then everything stops', () => {
  const node = mockNode({ Drain: true, DrainStrategy: drainSpec() });
  const job = mockJob({ ID: 'api', TaskGroups: [mockGroup({ Count: 4, Migrate: { ...migrate, MaxParallel: 2 } })] });
  const allocs = [0, 1, 2, 3].map((i) => alloc(job, node, i));
  assert.equal(planDrains(input([job], allocs, [node]))[0]!.migrate.length, 2);

  const pending = allocs.map((a) => ({ ...a, ClientStatus: 'pending' as const, TaskStates: {} }));
  const before = planDrains(input([job], pending, [node]))[0]!;
  assert.deepEqual([before.migrate.length, before.forced.length], [0, 0], 'a group that is not healthy cannot lose allocations');
  const after = planDrains(input([job], pending, [node], NOW + 3601 * NS_PER_S))[0]!;
  assert.deepEqual([after.migrate.length, after.forced.length], [0, 4], 'the deadline stops whatever is left');
});

test('a forced drain (Deadline -1) stops everything at once', () => {
  const node = mockNode({ Drain: true, DrainStrategy: drainSpec({ Deadline: -1, ForceDeadline: 0 }) });
  const job = mockJob({ ID: 'f', TaskGroups: [mockGroup({ Count: 2, Migrate: migrate })] });
  const plan = planDrains(input([job], [alloc(job, node, 0), alloc(job, node, 1)], [node]))[0]!;
  assert.equal(plan.forced.length, 2);
});

test('batch allocations run until the deadline; system allocations go last or stay with IgnoreSystemJobs', () => {
  const node = mockNode({ Drain: true, DrainStrategy: drainSpec() });
  const batch = mockJob({ ID: 'b', Type: 'batch', TaskGroups: [mockGroup({ Count: 1 })] });
  const system = mockJob({ ID: 's', Type: 'system', TaskGroups: [mockGroup({ Count: 1 })] });
  const b = alloc(batch, node, 0);
  const s = alloc(system, node, 0);
  const plan = planDrains(input([batch, system], [b, s], [node]))[0]!;
  assert.deepEqual([plan.migrate.length, plan.forced.length, plan.complete], [0, 0, false], 'the batch alloc holds the system alloc back');
  const bDone = { ...b, ClientStatus: 'complete' as const };
  assert.deepEqual(planDrains(input([batch, system], [bDone, s], [node]))[0]!.migrate.map((a) => a.JobID), ['s']);

  const ignoring = mockNode({ Drain: true, DrainStrategy: drainSpec({ IgnoreSystemJobs: true }) });
  const s2 = alloc(system, ignoring, 0);
  const plan2 = planDrains(input([system], [s2], [ignoring]))[0]!;
  assert.deepEqual([plan2.migrate.length, plan2.complete], [0, true], 'ignored system allocs do not hold the drain');

  // sysbatch is a system type too: it stays with IgnoreSystemJobs and otherwise leaves last.
  const sysbatch = mockJob({ ID: 'sb', Type: 'sysbatch', TaskGroups: [mockGroup({ Count: 1 })] });
  const sb = alloc(sysbatch, ignoring, 0);
  assert.deepEqual(planDrains(input([sysbatch], [sb], [ignoring]))[0]!.complete, true, 'ignored sysbatch allocs do not hold the drain');
  const sbHeld = alloc(sysbatch, node, 0);
  assert.deepEqual(planDrains(input([batch, sysbatch], [b, sbHeld], [node]))[0]!.migrate.length, 0, 'the batch alloc holds the sysbatch alloc back');
});

test('two draining nodes never take one group below count - max_parallel together', () => {
  const a = mockNode({ Drain: true, DrainStrategy: drainSpec() });
  const b = mockNode({ Drain: true, DrainStrategy: drainSpec() });
  const job = mockJob({ ID: 'two', TaskGroups: [mockGroup({ Count: 2, Migrate: migrate })] });
  const plans = planDrains(input([job], [alloc(job, a, 0), alloc(job, b, 1)], [a, b]));
  assert.equal(plans.reduce((n, p) => n + p.migrate.length, 0), 1);
});

test('a stopped job\'s allocations all leave at once; an empty node is complete', () => {
  const node = mockNode({ Drain: true, DrainStrategy: drainSpec() });
  const job = mockJob({ ID: 'gone', Stop: true, TaskGroups: [mockGroup({ Count: 3, Migrate: migrate })] });
  assert.equal(planDrains(input([job], [0, 1, 2].map((i) => alloc(job, node, i)), [node]))[0]!.migrate.length, 3);
  const empty = mockNode({ Drain: true, DrainStrategy: drainSpec() });
  assert.equal(planDrains(input([], [], [empty]))[0]!.complete, true);
});

test('migration health: checks mode waits for checks passing min_healthy_time; deployment health counts', () => {
  const node = mockNode();
  const tg = mockGroup({ Count: 1, Migrate: { ...migrate, HealthCheck: 'checks' }, Services: [{ Name: 'w', PortLabel: '', Tags: [], Checks: [{ Name: 'c', Type: 'tcp', Interval: NS_PER_S, Timeout: NS_PER_S }] }] });
  const job = mockJob({ ID: 'chk', TaskGroups: [tg] });
  const a = alloc(job, node, 0);
  assert.equal(migrationHealthy(a, tg, NOW, () => ({ registered: true })), false, 'checks not passing');
  assert.equal(migrationHealthy(a, tg, NOW, () => ({ registered: true, passingSinceNs: NOW - 5 * NS_PER_S })), false, 'not for long enough');
  assert.equal(migrationHealthy(a, tg, NOW, () => ({ registered: true, passingSinceNs: NOW - 11 * NS_PER_S })), true);
  assert.equal(migrationHealthy({ ...a, DeploymentStatus: { Healthy: true } }, tg, NOW, () => ({ registered: true })), true);
  assert.equal(migrationHealthy({ ...a, ClientStatus: 'failed' }, tg, NOW), false);
});
