import type { Constraint, Node } from '../../structs/index.js';
import { interpolateNode, nodeVariable } from '../../structs/index.js';
import { versionSatisfies } from './version.js';

/** Nomad's text for a constraint, used as the ConstraintFiltered metric key. */
export const constraintText = (c: Constraint): string => `${c.LTarget} ${c.Operand} ${c.RTarget}`.trim();

/** Operators that depend on where other allocations are, checked at placement time. */
export const isPlacementDependent = (c: Constraint): boolean =>
  c.Operand === 'distinct_hosts' || c.Operand === 'distinct_property';

const SINGLE_VAR_RE = /^\$\{([^}]+)\}$/;

/** A target resolved against a node: a literal, one node variable, or text with variables interpolated. */
export function resolveTarget(target: string, node: Node): string | undefined {
  const single = SINGLE_VAR_RE.exec(target);
  if (single?.[1] !== undefined) return nodeVariable(node, single[1].trim());
  return target.includes('${') ? interpolateNode(target, node) : target;
}

/** Per-computePlan cache of compiled regular expressions (no module-level state). */
export class RegexCache {
  private readonly cache = new Map<string, RegExp | null>();
  get(pattern: string): RegExp | null {
    let re = this.cache.get(pattern);
    if (re === undefined) {
      try {
        re = new RegExp(pattern);
      } catch {
        re = null; // an invalid pattern matches nothing
      }
      this.cache.set(pattern, re);
    }
    return re;
  }
}

const splitSet = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

/** Order comparison: numerically when both sides are numbers, otherwise lexically (as Nomad does). */
function compareOrder(l: string, r: string): number {
  const ln = Number(l);
  const rn = Number(r);
  if (l.trim() !== '' && r.trim() !== '' && Number.isFinite(ln) && Number.isFinite(rn)) return Math.sign(ln - rn);
  return l < r ? -1 : l > r ? 1 : 0;
}

/**
 * Whether the node satisfies one node-local constraint. distinct_hosts and
 * distinct_property are not node-local and always hold here (see distinct.ts).
 */
export function nodeMeetsConstraint(node: Node, c: Constraint, regexes: RegexCache): boolean {
  if (isPlacementDependent(c)) return true;
  const l = resolveTarget(c.LTarget, node);
  switch (c.Operand) {
    case 'is_set':
      return l !== undefined;
    case 'is_not_set':
      return l === undefined;
  }
  const r = resolveTarget(c.RTarget, node);
  switch (c.Operand) {
    case '=':
      return l !== undefined && r !== undefined && l === r;
    case '!=':
      return l !== r;
  }
  if (l === undefined || r === undefined) return false;
  switch (c.Operand) {
    case '<':
      return compareOrder(l, r) < 0;
    case '<=':
      return compareOrder(l, r) <= 0;
    case '>':
      return compareOrder(l, r) > 0;
    case '>=':
      return compareOrder(l, r) >= 0;
    case 'regexp':
      return regexes.get(r)?.test(l) ?? false;
    case 'version':
      return versionSatisfies(l, r);
    case 'semver':
      return versionSatisfies(l, r, true);
    case 'set_contains': {
      const have = new Set(splitSet(l));
      return splitSet(r).every((x) => have.has(x));
    }
    case 'set_contains_any': {
      const have = new Set(splitSet(l));
      return splitSet(r).some((x) => have.has(x));
    }
  }
  return false;
}
