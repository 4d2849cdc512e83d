/**
 * Datacenter matching for `job.Datacenters`, with `*` globs ("dc*", "*").
 * An empty list means every datacenter, as `["*"]` does.
 */
export class DatacenterMatcher {
  private readonly exact = new Set<string>();
  private readonly globs: { pattern: string; re: RegExp }[] = [];
  private readonly matchAll: boolean;

  constructor(readonly patterns: readonly string[]) {
    for (const p of patterns) {
      if (p.includes('*')) this.globs.push({ pattern: p, re: globToRegExp(p) });
      else this.exact.add(p);
    }
    this.matchAll = patterns.length === 0 || patterns.includes('*');
  }

  matches(dc: string): boolean {
    if (this.matchAll || this.exact.has(dc)) return true;
    return this.globs.some((g) => g.re.test(dc));
  }

  /**
   * NodesAvailable for the metrics: ready nodes per matched datacenter, and 0
   * for each requested datacenter (or glob) that matched no ready node, so
   * the user hears "No nodes are available in datacenter …".
   */
  nodesAvailable(readyPerDc: ReadonlyMap<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [dc, n] of readyPerDc) out[dc] = n;
    for (const p of this.patterns) {
      const anyMatched = p.includes('*') ? [...readyPerDc.keys()].some((dc) => globToRegExp(p).test(dc)) : readyPerDc.has(p);
      if (!anyMatched && p !== '*') out[p] = 0;
    }
    return out;
  }
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}
