import type { Constraint, Job, Node, TaskGroup } from '../../structs/index.js';
import { constraintText, isPlacementDependent, nodeMeetsConstraint, type RegexCache } from './constraint.js';
import { DatacenterMatcher } from './datacenter.js';
import { groupDrivers, MISSING_DRIVERS, nodeHasDrivers } from './drivers.js';
import { nodeAcceptsPlacements } from './node-status.js';

export { constraintText, RegexCache, resolveTarget, nodeMeetsConstraint } from './constraint.js';
export { DatacenterMatcher } from './datacenter.js';
export { DistinctChecker, DISTINCT_HOSTS, DISTINCT_PROPERTY } from './distinct.js';
export { MISSING_DRIVERS } from './drivers.js';
export { nodeAcceptsPlacements } from './node-status.js';
export { versionSatisfies, compareVersions, parseVersion } from './version.js';

export interface CandidateNodes {
  /** Ready, eligible, non-draining nodes in the job's datacenters. */
  nodes: Node[];
  /** For AllocMetric.NodesAvailable. */
  nodesAvailable: Record<string, number>;
}

/** One pass over every node per computePlan: the nodes a job may be placed on at all. */
export function candidateNodes(allNodes: Iterable<Node>, job: Job): CandidateNodes {
  const dcs = new DatacenterMatcher(job.Datacenters);
  const nodes: Node[] = [];
  const readyPerDc = new Map<string, number>();
  for (const node of allNodes) {
    if (!nodeAcceptsPlacements(node) || !dcs.matches(node.Datacenter)) continue;
    nodes.push(node);
    readyPerDc.set(node.Datacenter, (readyPerDc.get(node.Datacenter) ?? 0) + 1);
  }
  return { nodes, nodesAvailable: dcs.nodesAvailable(readyPerDc) };
}

/** Node-local constraints of a group: job, group and task level, deduplicated, distinct_* excluded. */
export function groupConstraints(job: Job, tg: TaskGroup): Constraint[] {
  const seen = new Set<string>();
  const out: Constraint[] = [];
  for (const c of [...(job.Constraints ?? []), ...(tg.Constraints ?? []), ...tg.Tasks.flatMap((t) => t.Constraints ?? [])]) {
    const key = constraintText(c);
    if (isPlacementDependent(c) || seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}

const FEASIBLE = 1;
const INFEASIBLE = 2;

/**
 * Drivers and constraints for one task group, memoised per node position in
 * the candidate list: each node is checked at most once per computePlan no
 * matter how many placements walk past it.
 */
export class GroupFeasibility {
  private readonly verdicts: Uint8Array;
  private readonly reasons: (string | undefined)[];
  private readonly drivers: string[];
  private readonly constraints: { c: Constraint; text: string }[];

  constructor(
    job: Job,
    tg: TaskGroup,
    private readonly nodes: readonly Node[],
    private readonly regexes: RegexCache,
  ) {
    this.verdicts = new Uint8Array(nodes.length);
    this.reasons = new Array<string | undefined>(nodes.length);
    this.drivers = groupDrivers(tg);
    this.constraints = groupConstraints(job, tg).map((c) => ({ c, text: constraintText(c) }));
  }

  /** Undefined when the node at `index` is feasible, else the ConstraintFiltered key. */
  reason(index: number): string | undefined {
    const v = this.verdicts[index];
    if (v === FEASIBLE) return undefined;
    if (v === INFEASIBLE) return this.reasons[index];
    const node = this.nodes[index];
    const why = node ? this.evaluate(node) : 'unknown node';
    this.verdicts[index] = why === undefined ? FEASIBLE : INFEASIBLE;
    this.reasons[index] = why;
    return why;
  }

  private evaluate(node: Node): string | undefined {
    if (!nodeHasDrivers(node, this.drivers)) return MISSING_DRIVERS;
    for (const { c, text } of this.constraints) {
      if (!nodeMeetsConstraint(node, c, this.regexes)) return text;
    }
    return undefined;
  }
}
