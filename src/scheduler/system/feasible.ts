import type { Constraint, Job, Node, TaskGroup } from '../../structs/index.js';
import { constraintText, groupConstraints, MISSING_DRIVERS, nodeMeetsConstraint, RegexCache } from '../feasibility/index.js';
import { groupDrivers, nodeHasDrivers } from '../feasibility/drivers.js';

interface GroupRules {
  drivers: string[];
  constraints: { c: Constraint; text: string }[];
  verdicts: Map<string, string | null>;
}

/**
 * Can a node run a group at all (drivers, job/group/task constraints)? The
 * system scheduler asks this for every node and group, so verdicts are kept
 * per node for the plan. distinct_* constraints mean nothing for a job that
 * runs once per node and are left out, as in the generic stack.
 */
export class SystemFeasibility {
  private readonly regexes = new RegexCache();
  private readonly groups = new Map<string, GroupRules>();

  constructor(private readonly job: Job) {}

  /** Undefined when feasible, else the ConstraintFiltered key. */
  reason(node: Node, tg: TaskGroup): string | undefined {
    const rules = this.rules(tg);
    const known = rules.verdicts.get(node.ID);
    if (known !== undefined) return known ?? undefined;
    let why: string | undefined;
    if (!nodeHasDrivers(node, rules.drivers)) why = MISSING_DRIVERS;
    else why = rules.constraints.find(({ c }) => !nodeMeetsConstraint(node, c, this.regexes))?.text;
    rules.verdicts.set(node.ID, why ?? null);
    return why;
  }

  feasible(node: Node, tg: TaskGroup): boolean {
    return this.reason(node, tg) === undefined;
  }

  private rules(tg: TaskGroup): GroupRules {
    let r = this.groups.get(tg.Name);
    if (!r) {
      r = {
        drivers: groupDrivers(tg),
        constraints: groupConstraints(this.job, tg).map((c) => ({ c, text: constraintText(c) })),
        verdicts: new Map(),
      };
      this.groups.set(tg.Name, r);
    }
    return r;
  }
}
