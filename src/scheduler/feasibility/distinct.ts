import type { Constraint, Node } from '../../structs/index.js';
import type { PlanContext } from '../plan-context.js';
import { resolveTarget } from './constraint.js';

export const DISTINCT_HOSTS = 'distinct_hosts';
export const DISTINCT_PROPERTY = 'distinct_property';

/** Constraint enabled unless its value is explicitly "false" (Nomad accepts `distinct_hosts = false`). */
const enabled = (c: Constraint): boolean => c.RTarget.trim().toLowerCase() !== 'false';

/** Counts the job's allocations per property value, kept current as the plan changes. */
class PropertyTracker {
  private readonly counts = new Map<string, number>();
  private readonly limit: number;

  constructor(
    private readonly ctx: PlanContext,
    private readonly property: string,
    private readonly scopeGroup: string | undefined,
    rTarget: string,
  ) {
    const parsed = Number.parseInt(rTarget, 10);
    this.limit = Number.isFinite(parsed) && parsed > 0 ? parsed : 1;
    ctx.forEachGroupCount((nodeId, group, n) => this.add(ctx.state.node(nodeId), group, n));
    ctx.onPlacementChange((node, group, change) => this.add(node, group, change));
  }

  allows(node: Node): boolean {
    const value = resolveTarget(this.property, node);
    if (value === undefined) return false;
    return (this.counts.get(value) ?? 0) < this.limit;
  }

  private add(node: Node | undefined, group: string, n: number): void {
    if (!node || n === 0) return;
    if (this.scopeGroup !== undefined && group !== this.scopeGroup) return;
    const value = resolveTarget(this.property, node);
    if (value !== undefined) this.counts.set(value, (this.counts.get(value) ?? 0) + n);
  }
}

/**
 * distinct_hosts and distinct_property for one task group: they depend on
 * where the job's other allocations are (including this plan's), so they are
 * checked per placement instead of being memoised per node.
 */
export class DistinctChecker {
  private readonly hostsJob: boolean;
  private readonly hostsGroup: boolean;
  private readonly trackers: PropertyTracker[] = [];

  constructor(
    private readonly ctx: PlanContext,
    private readonly group: string,
    jobConstraints: readonly Constraint[],
    groupConstraints: readonly Constraint[],
  ) {
    this.hostsJob = jobConstraints.some((c) => c.Operand === 'distinct_hosts' && enabled(c));
    this.hostsGroup = groupConstraints.some((c) => c.Operand === 'distinct_hosts' && enabled(c));
    for (const c of jobConstraints) {
      if (c.Operand === 'distinct_property') this.trackers.push(new PropertyTracker(ctx, c.LTarget, undefined, c.RTarget));
    }
    for (const c of groupConstraints) {
      if (c.Operand === 'distinct_property') this.trackers.push(new PropertyTracker(ctx, c.LTarget, group, c.RTarget));
    }
  }

  get active(): boolean {
    return this.hostsJob || this.hostsGroup || this.trackers.length > 0;
  }

  /** The ConstraintFiltered key when the node is excluded, undefined when it may take the allocation. */
  check(node: Node): string | undefined {
    if (this.hostsJob && this.ctx.jobCount(node.ID) > 0) return DISTINCT_HOSTS;
    if (this.hostsGroup && this.ctx.groupCount(node.ID, this.group) > 0) return DISTINCT_HOSTS;
    for (const t of this.trackers) if (!t.allows(node)) return DISTINCT_PROPERTY;
    return undefined;
  }
}
