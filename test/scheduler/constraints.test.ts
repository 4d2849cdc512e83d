import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePlacementFailure, versionSatisfies } from '../../src/scheduler/index.js';
import { nodeMeetsConstraint, RegexCache } from '../../src/scheduler/feasibility/index.js';
import type { Constraint, ConstraintOperator } from '../../src/structs/index.js';
import { Harness, mockGroup, mockJob, mockNode, mockTask, placedAllocs } from './harness.js';

const node = mockNode({
  ID: 'node-1',
  Name: 'alpha',
  Datacenter: 'dc1',
  NodeClass: 'gpu',
  Attributes: { 'kernel.name': 'freebsd', 'cpu.numcores': '8', 'os.version': '14.1', 'driver.versions': '1.2.3-beta.2', tags: 'a, b,c' },
  Meta: { rack: 'r1' },
});
const c = (LTarget: string, Operand: ConstraintOperator, RTarget: string): Constraint => ({ LTarget, Operand, RTarget });
const meets = (constraint: Constraint): boolean => nodeMeetsConstraint(node, constraint, new RegexCache());

test('= and != compare resolved targets', () => {
  assert.equal(meets(c('${attr.kernel.name}', '=', 'freebsd')), true);
  assert.equal(meets(c('${attr.kernel.name}', '=', 'linux')), false);
  assert.equal(meets(c('${node.unique.name}', '=', 'alpha')), true);
  assert.equal(meets(c('${node.class}', '=', 'gpu')), true);
  assert.equal(meets(c('${meta.rack}', '=', 'r1')), true);
  assert.equal(meets(c('${attr.missing}', '=', 'x')), false);
  assert.equal(meets(c('${attr.kernel.name}', '!=', 'linux')), true);
  assert.equal(meets(c('${attr.kernel.name}', '!=', 'freebsd')), false);
  assert.equal(meets(c('${attr.missing}', '!=', 'x')), true, 'a missing attribute differs from any value');
});

test('order operators compare numbers numerically and text lexically', () => {
  assert.equal(meets(c('${attr.cpu.numcores}', '>', '4')), true);
  assert.equal(meets(c('${attr.cpu.numcores}', '>', '10')), false, 'numeric, not lexical ("8" > "10" lexically)');
  assert.equal(meets(c('${attr.cpu.numcores}', '>=', '8')), true);
  assert.equal(meets(c('${attr.cpu.numcores}', '<', '8')), false);
  assert.equal(meets(c('${attr.cpu.numcores}', '<=', '8')), true);
  assert.equal(meets(c('${attr.kernel.name}', '<', 'linux')), true);
  assert.equal(meets(c('${attr.missing}', '<', '8')), false);
});

test('regexp, set_contains, set_contains_any, is_set, is_not_set', () => {
  assert.equal(meets(c('${attr.kernel.name}', 'regexp', '^free')), true);
  assert.equal(meets(c('${attr.kernel.name}', 'regexp', '^linux$')), false);
  assert.equal(meets(c('${attr.kernel.name}', 'regexp', '([')), false, 'an invalid pattern matches nothing');
  assert.equal(meets(c('${attr.tags}', 'set_contains', 'a,c')), true);
  assert.equal(meets(c('${attr.tags}', 'set_contains', 'a,d')), false);
  assert.equal(meets(c('${attr.tags}', 'set_contains_any', 'd,b')), true);
  assert.equal(meets(c('${attr.tags}', 'set_contains_any', 'd,e')), false);
  assert.equal(meets(c('${meta.rack}', 'is_set', '')), true);
  assert.equal(meets(c('${meta.zone}', 'is_set', '')), false);
  assert.equal(meets(c('${meta.zone}', 'is_not_set', '')), true);
  assert.equal(meets(c('${meta.rack}', 'is_not_set', '')), false);
});

test('version and semver operators', () => {
  assert.equal(meets(c('${attr.os.version}', 'version', '>= 14.0, < 15')), true);
  assert.equal(meets(c('${attr.os.version}', 'version', '>= 14.2')), false);
  assert.equal(meets(c('${attr.driver.versions}', 'semver', '>= 1.2.3-beta.1')), true);
  assert.equal(meets(c('${attr.driver.versions}', 'semver', '>= 1.2.3')), false, 'a prerelease sorts before its release');
  assert.equal(meets(c('${attr.os.version}', 'semver', '>= 14.0.0')), false, 'semver needs major.minor.patch');
  assert.equal(versionSatisfies('1.2.0', '>= 1.2, < 2.0'), true);
  assert.equal(versionSatisfies('2.0.0', '>= 1.2, < 2.0'), false);
  assert.equal(versionSatisfies('v1.10.0', '> 1.9'), true);
  assert.equal(versionSatisfies('1.4.7', '~> 1.4.2'), true);
  assert.equal(versionSatisfies('1.5.0', '~> 1.4.2'), false);
  assert.equal(versionSatisfies('1.9', '~> 1.4'), true);
  assert.equal(versionSatisfies('1.2.3-rc.10', '> 1.2.3-rc.9'), true, 'numeric prerelease identifiers compare as numbers');
  assert.equal(versionSatisfies('1.2.3', '!= 1.2.3'), false);
  assert.equal(versionSatisfies('not-a-version', '>= 1'), false);
  assert.equal(versionSatisfies('1.0.0', '>= nope'), false);
});

test('constraints filter nodes at job, group and task level, with metrics text', () => {
  const h = new Harness();
  h.upsertNode(mockNode({ ID: 'linux-1' }));
  h.upsertNode(mockNode({ ID: 'bsd-1', Attributes: { 'kernel.name': 'freebsd' } }));
  h.upsertNode(mockNode({ ID: 'bsd-2', Attributes: { 'kernel.name': 'freebsd' }, Meta: { tier: 'gold' } }));
  h.upsertJob(
    mockJob({
      Constraints: [c('${attr.kernel.name}', '=', 'freebsd')],
      TaskGroups: [mockGroup({ Count: 2, Tasks: [mockTask({ Constraints: [c('${meta.tier}', '=', 'gold')] })] })],
    }),
  );
  const plan = h.schedule('example');
  assert.deepEqual(placedAllocs(plan).map((a) => a.NodeID), ['bsd-2', 'bsd-2'], 'only bsd-2 passes job and task constraints');
  h.upsertJob(mockJob({ ID: 'other', Constraints: [c('${attr.kernel.name}', '=', 'solaris')] }));
  const failed = h.schedule('other');
  const metric = failed.Eval.FailedTGAllocs?.web;
  assert.ok(metric);
  assert.equal(metric.NodesEvaluated, 3);
  assert.equal(metric.NodesFiltered, 3);
  assert.deepEqual(metric.ConstraintFiltered, { '${attr.kernel.name} = solaris': 3 });
  assert.deepEqual(describePlacementFailure('web', metric), [
    'Task Group "web" (failed to place 1 allocation):',
    '* Constraint "${attr.kernel.name} = solaris": 3 nodes excluded by filter',
  ]);
});

test('nodes without a detected, healthy driver are filtered as "missing drivers"', () => {
  const h = new Harness();
  const base = mockNode().Drivers.raw_exec!;
  h.upsertNode(mockNode({ ID: 'none', Drivers: {} }));
  h.upsertNode(mockNode({ ID: 'sick', Drivers: { raw_exec: { ...base, Healthy: false } } }));
  h.upsertNode(mockNode({ ID: 'undetected', Drivers: { raw_exec: { ...base, Detected: false } } }));
  h.upsertJob(mockJob());
  const metric = h.schedule('example').Eval.FailedTGAllocs?.web;
  assert.deepEqual(metric?.ConstraintFiltered, { 'missing drivers': 3 });
});

test('distinct_hosts keeps a group to one allocation per node', () => {
  const h = new Harness();
  for (const id of ['n1', 'n2', 'n3']) h.upsertNode(mockNode({ ID: id, NodeResources: { ...mockNode().NodeResources, Cpu: { CpuShares: 100_000, TotalCpuCores: 1 } } }));
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 4, Constraints: [c('', 'distinct_hosts', 'true')] })] }));
  const plan = h.schedule('example');
  const nodes = placedAllocs(plan).map((a) => a.NodeID);
  assert.equal(nodes.length, 3);
  assert.equal(new Set(nodes).size, 3);
  assert.deepEqual(plan.Eval.FailedTGAllocs?.web?.ConstraintFiltered, { distinct_hosts: 3 });
  // Existing allocations count too: a later eval places nothing more.
  assert.equal(placedAllocs(h.schedule('example')).length, 0);
});

test('job-level distinct_hosts spans groups; distinct_property limits per value', () => {
  const h = new Harness();
  for (const id of ['n1', 'n2']) h.upsertNode(mockNode({ ID: id, Meta: { rack: 'r1' } }));
  h.upsertNode(mockNode({ ID: 'n3', Meta: { rack: 'r2' } }));
  h.upsertJob(
    mockJob({
      Constraints: [c('', 'distinct_hosts', 'true')],
      TaskGroups: [mockGroup({ Name: 'a', Count: 2 }), mockGroup({ Name: 'b', Count: 1 })],
    }),
  );
  assert.equal(new Set(placedAllocs(h.schedule('example')).map((a) => a.NodeID)).size, 3);

  const h2 = new Harness();
  for (const id of ['n1', 'n2']) h2.upsertNode(mockNode({ ID: id, Meta: { rack: 'r1' } }));
  h2.upsertNode(mockNode({ ID: 'n3', Meta: { rack: 'r2' } }));
  h2.upsertNode(mockNode({ ID: 'n4' }));
  h2.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 4, Constraints: [c('${meta.rack}', 'distinct_property', '1')] })] }));
  const plan = h2.schedule('example');
  const racks = placedAllocs(plan).map((a) => h2.node(a.NodeID)?.Meta.rack);
  assert.deepEqual(racks.sort(), ['r1', 'r2']);
  assert.ok((plan.Eval.FailedTGAllocs?.web?.ConstraintFiltered.distinct_property ?? 0) >= 2);
});
