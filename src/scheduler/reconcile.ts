import type { Allocation, ClientStatus, Deployment, Job, Node, TaskGroup } from '../structs/index.js';
import { allocIndex, launchesChildren } from '../structs/index.js';
import { GroupChangeDetector } from './job-diff.js';
import { rescheduleDecision } from './reschedule.js';
import { groupRollout, isCanaryOf, type GroupRollout } from './rollout.js';

/** Nomad's DesiredDescription texts. */
export const ALLOC_NOT_NEEDED = 'alloc not needed due to job update';
export const ALLOC_UPDATING = 'alloc is being updated due to job update';
export const ALLOC_LOST = 'alloc is lost since its node is down';
export const ALLOC_RESCHEDULED = 'alloc was rescheduled because it failed';
export const ALLOC_CANARY_REPLACED = 'alloc not needed as it was replaced by a promoted canary';

export type ReplaceReason = 'lost' | 'reschedule' | 'destructive';

export interface Placement {
  group: TaskGroup;
  name: string;
  index: number;
  /** The allocation this one replaces, for lost/reschedule/destructive placements. */
  replaces?: Allocation;
  reason?: ReplaceReason;
  /** Delay applied, for the replacement's RescheduleTracker. */
  rescheduleDelay?: number;
  /** The deployment the new allocation belongs to. */
  deploymentId?: string;
  canary?: boolean;
}

export interface Stop {
  alloc: Allocation;
  description: string;
  clientStatus?: ClientStatus;
}

export interface GroupReconcile {
  name: string;
  /** Every placement, new indexes and replacements alike. */
  place: Placement[];
  /** Unconditional stops: scale-down, job stop, removed group, lost. */
  stop: Stop[];
  ignore: Allocation[];
  inPlace: Allocation[];
  destructive: Allocation[];
  rescheduleNow: Allocation[];
  rescheduleLater: { alloc: Allocation; waitUntil: number }[];
  lost: Allocation[];
  /** Destructive updates held back by the group's rollout (max_parallel, canaries, a failed deployment). */
  held: Allocation[];
  /** Canary placements wanted by the deployment (also in `place`). */
  canaries: number;
}

export interface ReconcileInput {
  job: Job | undefined;
  /** Every allocation of the job, any status. */
  allocs: readonly Allocation[];
  evalId: string;
  nowNs: number;
  node: (id: string) => Node | undefined;
  jobVersion: (version: number) => Job | undefined;
  /** The deployment of the job's current version, when it has one (or is about to). */
  deployment?: Deployment;
}

type SlotKind = 'keep' | 'inplace' | 'complete' | 'held' | 'later' | 'lost' | 'reschedule' | 'destructive';

interface Slot {
  index: number;
  alloc: Allocation;
  kind: SlotKind;
  delay?: number;
  waitUntil?: number;
}

const emptyGroup = (name: string): GroupReconcile => ({
  name, place: [], stop: [], ignore: [], inPlace: [], destructive: [], rescheduleNow: [], rescheduleLater: [], lost: [], held: [], canaries: 0,
});

const onDownNode = (a: Allocation, input: ReconcileInput): boolean => {
  if (a.ClientStatus === 'lost') return true;
  const node = input.node(a.NodeID);
  return !node || node.Status === 'down';
};

/** Desired (the job's groups × Count) against actual (the job's allocations), one bucket list per group. */
export function reconcile(input: ReconcileInput): GroupReconcile[] {
  const byGroup = new Map<string, Allocation[]>();
  const job = input.job;
  for (const a of input.allocs) {
    if (a.DesiredStatus !== 'run') continue; // already stopping or stopped
    // A finished allocation of an earlier job under the same ID (purged, then registered again) is history, not a slot to reschedule.
    if (job && a.CreateIndex < job.CreateIndex && (a.ClientStatus === 'failed' || a.ClientStatus === 'complete' || a.ClientStatus === 'lost')) continue;
    let list = byGroup.get(a.TaskGroup);
    if (!list) byGroup.set(a.TaskGroup, (list = []));
    list.push(a);
  }
  const out: GroupReconcile[] = [];
  // A periodic or parameterized job is a template: only its children run.
  const live = job && !job.Stop && !launchesChildren(job) ? job : undefined;
  const changes = live ? new GroupChangeDetector(live, input.jobVersion) : undefined;
  for (const tg of live?.TaskGroups ?? []) {
    out.push(reconcileGroup(live as Job, tg, byGroup.get(tg.Name) ?? [], input, changes as GroupChangeDetector));
    byGroup.delete(tg.Name);
  }
  for (const [name, allocs] of byGroup) out.push(stopGroup(name, allocs, input));
  return out;
}

/** Job stopped, purged, or group removed: stop everything still meant to run. */
function stopGroup(name: string, allocs: Allocation[], input: ReconcileInput): GroupReconcile {
  const r = emptyGroup(name);
  for (const a of allocs) {
    if (a.ClientStatus === 'complete' || a.ClientStatus === 'failed') continue;
    if (onDownNode(a, input)) {
      r.lost.push(a);
      r.stop.push({ alloc: a, description: ALLOC_LOST, clientStatus: 'lost' });
    } else r.stop.push({ alloc: a, description: ALLOC_NOT_NEEDED });
  }
  return r;
}

function classify(job: Job, tg: TaskGroup, a: Allocation, input: ReconcileInput, changes: GroupChangeDetector): Slot | undefined {
  const index = allocIndex(a.Name);
  if (a.ClientStatus === 'complete') return job.Type === 'batch' ? { index, alloc: a, kind: 'complete' } : undefined;
  if (a.ClientStatus === 'failed') {
    if (a.NextAllocation) return undefined;
    // A follow-up eval is already on its way for this allocation; only that eval acts on it.
    if (a.FollowupEvalID && a.FollowupEvalID !== input.evalId) return { index, alloc: a, kind: 'held' };
    const decision = rescheduleDecision(a, tg.ReschedulePolicy, input.nowNs);
    if (decision.kind === 'never') return { index, alloc: a, kind: 'held' };
    if (decision.kind === 'now' || a.FollowupEvalID === input.evalId) return { index, alloc: a, kind: 'reschedule', delay: decision.delay };
    return { index, alloc: a, kind: 'later', waitUntil: decision.waitUntil };
  }
  if (onDownNode(a, input)) return { index, alloc: a, kind: 'lost' };
  if (a.JobVersion !== job.Version) return { index, alloc: a, kind: changes.changed(a.JobVersion, tg.Name) ? 'destructive' : 'inplace' };
  return { index, alloc: a, kind: 'keep' };
}

/** Highest index first, newest first within an index: the order scale-down removes in. */
const removalOrder = (x: Slot, y: Slot): number => y.index - x.index || y.alloc.CreateTime - x.alloc.CreateTime;

function reconcileGroup(job: Job, tg: TaskGroup, allocs: Allocation[], input: ReconcileInput, changes: GroupChangeDetector): GroupReconcile {
  const r = emptyGroup(tg.Name);
  const slots: Slot[] = [];
  const canaries: Allocation[] = [];
  const deploymentId = input.deployment?.TaskGroups[tg.Name] ? input.deployment.ID : undefined;
  for (const a of allocs) {
    if (deploymentId && input.deployment && isCanaryOf(a, input.deployment)) canaries.push(a);
    else {
      const slot = classify(job, tg, a, input, changes);
      if (slot) slots.push(slot);
    }
  }
  const rollout = groupRollout(tg, input.deployment, allocs, slots.some((s) => s.kind === 'destructive') || canaries.length > 0);
  const counted = rollout ? adoptCanaries(slots, canaries, rollout, r) : slots;
  const kept = scaleDown(counted, tg.Count, r);
  const used = new Set<number>();
  const budget = { left: rollout ? rollout.budget : Number.POSITIVE_INFINITY };
  for (const s of kept) {
    used.add(s.index);
    applySlot(job, tg, s, r, budget);
  }
  for (let i = 0, missing = tg.Count - kept.length; missing > 0; i++) {
    if (used.has(i)) continue;
    r.place.push({ group: tg, name: allocName(job, tg, i), index: i });
    missing--;
  }
  if (rollout) placeCanaries(job, tg, rollout, canaries, r);
  if (deploymentId) for (const p of r.place) p.deploymentId = deploymentId;
  return r;
}

/**
 * Before promotion canaries run beside the allocations they will replace and
 * take no slot; once promoted each takes its index's slot and the old
 * allocation there stops.
 */
function adoptCanaries(slots: Slot[], canaries: Allocation[], rollout: GroupRollout, r: GroupReconcile): Slot[] {
  if (!rollout.promoted) {
    r.ignore.push(...canaries);
    return slots;
  }
  const taken = new Set(canaries.map((c) => allocIndex(c.Name)));
  const out: Slot[] = canaries.map((c) => ({ index: allocIndex(c.Name), alloc: c, kind: 'keep' }));
  for (const s of slots) {
    if (taken.has(s.index) && (s.kind === 'destructive' || s.kind === 'keep' || s.kind === 'inplace')) r.stop.push({ alloc: s.alloc, description: ALLOC_CANARY_REPLACED });
    else out.push(s);
  }
  return out;
}

/** Canaries take the names of the allocations they will replace (lowest indexes first), as in Nomad. */
function placeCanaries(job: Job, tg: TaskGroup, rollout: GroupRollout, canaries: Allocation[], r: GroupReconcile): void {
  r.canaries = rollout.canary;
  const missing = rollout.canary - canaries.length;
  if (missing <= 0) return;
  const taken = new Set(canaries.map((c) => allocIndex(c.Name)));
  const indexes = [...new Set(r.held.map((a) => allocIndex(a.Name)))].filter((i) => !taken.has(i)).sort((a, b) => a - b);
  for (const index of indexes.slice(0, missing)) r.place.push({ group: tg, name: allocName(job, tg, index), index, canary: true });
}

/** Drop slots above Count (completed batch work cannot be undone and is never dropped); returns those kept. */
function scaleDown(slots: Slot[], count: number, r: GroupReconcile): Slot[] {
  const ordered = [...slots].sort(removalOrder);
  let excess = slots.length - Math.max(0, count);
  const kept: Slot[] = [];
  for (const s of ordered) {
    if (excess > 0 && s.kind !== 'complete') {
      excess--;
      if (s.kind === 'lost') {
        r.lost.push(s.alloc);
        r.stop.push({ alloc: s.alloc, description: ALLOC_LOST, clientStatus: 'lost' });
      } else if (s.kind === 'keep' || s.kind === 'inplace' || s.kind === 'destructive') {
        r.stop.push({ alloc: s.alloc, description: ALLOC_NOT_NEEDED });
      } else r.ignore.push(s.alloc); // failed allocations are left as they are
      continue;
    }
    kept.push(s);
  }
  return kept.reverse();
}

export const allocName = (job: Job, tg: TaskGroup, index: number): string => `${job.ID}.${tg.Name}[${index}]`;

function applySlot(job: Job, tg: TaskGroup, s: Slot, r: GroupReconcile, budget: { left: number }): void {
  const replacement = (reason: ReplaceReason): Placement => ({ group: tg, name: allocName(job, tg, s.index), index: s.index, replaces: s.alloc, reason });
  switch (s.kind) {
    case 'keep':
    case 'complete':
    case 'held':
      r.ignore.push(s.alloc);
      return;
    case 'inplace':
      r.inPlace.push(s.alloc);
      return;
    case 'later':
      r.rescheduleLater.push({ alloc: s.alloc, waitUntil: s.waitUntil as number });
      return;
    case 'lost':
      r.lost.push(s.alloc);
      r.stop.push({ alloc: s.alloc, description: ALLOC_LOST, clientStatus: 'lost' });
      r.place.push(replacement('lost'));
      return;
    case 'destructive':
      if (budget.left <= 0) {
        r.held.push(s.alloc);
        r.ignore.push(s.alloc);
        return;
      }
      budget.left--;
      r.destructive.push(s.alloc);
      r.place.push(replacement('destructive'));
      return;
    case 'reschedule':
      r.rescheduleNow.push(s.alloc);
      r.place.push({ ...replacement('reschedule'), rescheduleDelay: s.delay ?? 0 });
      return;
  }
}
