/**
 * What ACL result filtering costs: the pure filters of src/acl/filter.ts over
 * catalog answers of growing size, for a token with a few prefix rules (the
 * common case; the guard skips filtering for management tokens). In process,
 * so the figure is the filter's own work, not HTTP or serialisation.
 *
 *   node dist/bench/acl-filter.bench.js [--runs 7] [--out bench/results]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { filterChecks, filterServiceNames, type ResultFilter } from '../src/acl/filter.js';
import { emptyRules, type Identity } from '../src/acl/types.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, out: { type: 'string', default: 'bench/results' } } });
const runs = Number(values.runs);

const team: Identity = {
  accessor: 'bench',
  name: 'bench',
  management: false,
  rules: [
    { ...emptyRules(), node: 'read', services: [{ prefix: 'team-a-', policy: 'read' }, { prefix: 'team-a-secret', policy: 'deny' }] },
    { ...emptyRules(), services: [{ prefix: 'shared-', policy: 'read' }] },
  ],
};

const names = (n: number) => Array.from({ length: n }, (_, i) => `${['team-a-', 'team-b-', 'shared-', 'other-'][i % 4]}svc-${i}`);
const servicesOf = (n: number) => Object.fromEntries(names(n).map((s) => [s, ['http']]));
const checksOf = (n: number) => names(n).map((s, i) => ({ Node: 'n1', CheckID: `c${i}`, ServiceName: i % 10 === 0 ? '' : s, Status: 'passing' }));

/** Median microseconds for one filter call over the answer. */
function usPerCall(filter: ResultFilter, who: Identity, body: unknown): number {
  const samples: number[] = [];
  const calls = 20;
  for (let i = 0; i < calls; i++) filter(who, body); // warm up the JIT first
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) filter(who, body);
    samples.push(Number(process.hrtime.bigint() - start) / 1e3 / calls);
  }
  return Number(samples.sort((x, y) => x - y)[Math.floor(samples.length / 2)]!.toFixed(1));
}

const sizes = [100, 1000, 10000];
const result = {
  runs,
  loadavg1: Number(loadavg()[0]!.toFixed(2)),
  usPerCall: Object.fromEntries(
    sizes.map((n) => [
      n,
      {
        servicesTeamToken: usPerCall(filterServiceNames, team, servicesOf(n)),
        checksTeamToken: usPerCall(filterChecks, team, checksOf(n)),
      },
    ]),
  ),
};
console.log(JSON.stringify(result, null, 2));
mkdirSync(values.out!, { recursive: true });
writeFileSync(join(values.out!, 'acl-filter.json'), `${JSON.stringify(result, null, 2)}\n`);
