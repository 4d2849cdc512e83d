import type { Allocation, Job, Node, TaskGroup } from '../../structs/index.js';
import { isTerminalClientStatus, launchesChildren } from '../../structs/index.js';
import { DatacenterMatcher, nodeAcceptsPlacements } from '../feasibility/index.js';
import { GroupChangeDetector } from '../job-diff.js';
import { ALLOC_LOST, ALLOC_NOT_NEEDED, allocName, type Stop } from '../reconcile.js';

/** One allocation of a group wanted on one particular node. */
export interface SystemPlacement {
  group: TaskGroup;
  name: string;
  node: Node;
  /** The allocation this one follows on the node (a destructive update, or a failed one retried). */
  replaces?: Allocation;
  /** The replaced allocation is still running and is stopped just before (destructive update). */
  destructive: boolean;
}

export interface SystemGroupReconcile {
  name: string;
  place: SystemPlacement[];
  stop: Stop[];
  inPlace: Allocation[];
  ignore: Allocation[];
  lost: Allocation[];
  /** Nodes that cannot run the group (drivers, constraints): nothing placed there, and no failure either. */
  filtered: number;
  /** Destructive updates held back by the group's `update.max_parallel`, for a later rolling-update evaluation. */
  held: number;
  /** Destructive updates in `place`. */
  destructive: number;
}

export interface SystemReconcileInput {
  job: Job | undefined;
  /** Every allocation of the job, any status. */
  allocs: readonly Allocation[];
  /** Every node, any status. */
  nodes: Iterable<Node>;
  node(id: string): Node | undefined;
  jobVersion(version: number): Job | undefined;
  /** The user submitted the job again: failed (or finished) allocations get a fresh start on their node. */
  retryFailed: boolean;
  /** Drivers and constraints. */
  feasible(node: Node, tg: TaskGroup): boolean;
}

const slotKey = (nodeId: string, group: string): string => `${nodeId}\u0000${group}`;
const newestFirst = (x: Allocation, y: Allocation): number => y.CreateIndex - x.CreateIndex || y.CreateTime - x.CreateTime;
const oldestFirst = (x: Allocation, y: Allocation): number => -newestFirst(x, y);

/** What the three passes of a system reconcile share. */
interface Pass {
  input: SystemReconcileInput;
  job: Job | undefined;
  /** Groups with Count > 0 by name. */
  wanted: Map<string, TaskGroup>;
  dcs: DatacenterMatcher;
  /** node × group slots already decided. */
  covered: Set<string>;
  result(name: string): SystemGroupReconcile;
  changed(a: Allocation): boolean;
  targets(node: Node | undefined): node is Node;
}

/**
 * Nomad's system reconcile (diffSystemAllocs): every group wants one
 * allocation on every ready, eligible, non-draining node of the job's
 * datacenters that can run it. Existing allocations on a down (or vanished)
 * node are lost; on an ineligible or draining node they are left alone (the
 * drainer decides when system allocations leave, see drain.ts); on a node the
 * job no longer targets they stop. Failed allocations are not rescheduled.
 */
export function reconcileSystem(input: SystemReconcileInput): SystemGroupReconcile[] {
  // A periodic or parameterized parent is a template: its children run, it does not.
  const job = input.job && !input.job.Stop && !launchesChildren(input.job) ? input.job : undefined;
  const out = new Map<string, SystemGroupReconcile>();
  const dcs = new DatacenterMatcher(job?.Datacenters ?? []);
  const changes = job ? new GroupChangeDetector(job, input.jobVersion) : undefined;
  const pass: Pass = {
    input,
    job,
    wanted: new Map((job?.TaskGroups ?? []).filter((tg) => tg.Count > 0).map((tg) => [tg.Name, tg])),
    dcs,
    covered: new Set(),
    result: (name) => {
      let r = out.get(name);
      if (!r) out.set(name, (r = { name, place: [], stop: [], inPlace: [], ignore: [], lost: [], filtered: 0, held: 0, destructive: 0 }));
      return r;
    },
    changed: (a) => !!changes && !!job && a.JobVersion !== job.Version && changes.changed(a.JobVersion, a.TaskGroup),
    targets: (node): node is Node => !!node && nodeAcceptsPlacements(node) && dcs.matches(node.Datacenter),
  };
  for (const tg of job?.TaskGroups ?? []) pass.result(tg.Name);
  const meant = input.allocs.filter((a) => a.DesiredStatus === 'run');
  // A client that reports an allocation lost (it could not recover the task) frees the slot, as a down node does.
  for (const a of meant.filter((x) => !isTerminalClientStatus(x.ClientStatus) || x.ClientStatus === 'lost').sort(oldestFirst)) reconcileLive(pass, a);
  // Finished allocations hold their node's slot: only the newest per node counts, older ones are history.
  for (const a of meant.filter((x) => (x.ClientStatus === 'complete' || x.ClientStatus === 'failed') && !x.NextAllocation).sort(newestFirst)) reconcileFinished(pass, a);
  if (job) placeMissing(pass, job);
  return [...out.values()];
}

function reconcileLive(pass: Pass, a: Allocation): void {
  const { job, input } = pass;
  const r = pass.result(a.TaskGroup);
  const tg = pass.wanted.get(a.TaskGroup);
  const node = input.node(a.NodeID);
  if (!node || node.Status === 'down' || a.ClientStatus === 'lost') {
    r.lost.push(a);
    r.stop.push({ alloc: a, description: ALLOC_LOST, clientStatus: 'lost' });
    return;
  }
  const key = slotKey(a.NodeID, a.TaskGroup);
  if (!job || !tg || pass.covered.has(key)) {
    r.stop.push({ alloc: a, description: ALLOC_NOT_NEEDED });
    return;
  }
  pass.covered.add(key);
  if (node.Drain || node.Status !== 'ready' || node.SchedulingEligibility !== 'eligible') r.ignore.push(a);
  else if (!pass.dcs.matches(node.Datacenter)) r.stop.push({ alloc: a, description: ALLOC_NOT_NEEDED });
  else if (a.JobVersion === job.Version) r.ignore.push(a);
  else if (!pass.changed(a)) r.inPlace.push(a);
  // The new version no longer fits this node (a changed constraint or driver): the allocation just stops.
  else if (!input.feasible(node, tg)) r.stop.push({ alloc: a, description: ALLOC_NOT_NEEDED });
  else if (rollingLimitReached(tg, r)) {
    r.held++;
    r.ignore.push(a);
  } else {
    r.place.push({ group: tg, name: allocName(job, tg, 0), node, replaces: a, destructive: true });
    r.destructive++;
  }
}

function reconcileFinished(pass: Pass, a: Allocation): void {
  const { job, input } = pass;
  const tg = pass.wanted.get(a.TaskGroup);
  const key = slotKey(a.NodeID, a.TaskGroup);
  // A finished allocation of an earlier job under the same ID (purged, then registered again) is history.
  if (!job || !tg || pass.covered.has(key) || a.CreateIndex < job.CreateIndex) return;
  pass.covered.add(key);
  const r = pass.result(tg.Name);
  const node = input.node(a.NodeID);
  if (!rerun(a, job, input.retryFailed, pass.changed(a)) || !pass.targets(node) || !input.feasible(node, tg)) {
    r.ignore.push(a);
    return;
  }
  r.place.push({ group: tg, name: allocName(job, tg, 0), node, replaces: a, destructive: false });
}

/** Every targeted node without a slot for a group gets one, if it can run the group at all. */
function placeMissing(pass: Pass, job: Job): void {
  for (const node of pass.input.nodes) {
    if (!pass.targets(node)) continue;
    for (const tg of pass.wanted.values()) {
      if (pass.covered.has(slotKey(node.ID, tg.Name))) continue;
      const r = pass.result(tg.Name);
      if (!pass.input.feasible(node, tg)) r.filtered++;
      else r.place.push({ group: tg, name: allocName(job, tg, 0), node, destructive: false });
    }
  }
}

/**
 * Does a finished allocation run again on its node? A completed sysbatch run
 * only for a changed group; a failed allocation (or a system one that
 * exited) also when the user submits the job again. Never on its own: that
 * would turn a crashing task into a scheduling loop.
 */
function rerun(a: Allocation, job: Job, retryFailed: boolean, changed: boolean): boolean {
  if (a.ClientStatus === 'complete' && job.Type === 'sysbatch') return changed;
  return changed || retryFailed;
}

/** With `update { max_parallel = N }` a system group replaces N allocations per evaluation (Nomad's rolling system update). */
function rollingLimitReached(tg: TaskGroup, r: SystemGroupReconcile): boolean {
  const max = tg.Update?.MaxParallel ?? 0;
  return max > 0 && r.destructive >= max;
}
