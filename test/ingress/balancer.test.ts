import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoundRobin } from '../../src/ingress/index.js';

const srv = (name: string, weight = 1) => ({ name, weight });

test('equal weights rotate in order and keep rotating across updates', () => {
  const a = srv('a');
  const b = srv('b');
  const c = srv('c');
  const rr = new RoundRobin([a, b, c]);
  assert.deepEqual([1, 2, 3, 4].map(() => rr.pick()!.name), ['a', 'b', 'c', 'a']);
  rr.update([a, b]);
  assert.deepEqual([1, 2, 3].map(() => rr.pick()!.name), ['b', 'a', 'b']);
});

test('weights give a smooth interleaving proportional to weight', () => {
  const rr = new RoundRobin([srv('a', 3), srv('b', 1)]);
  const picks = Array.from({ length: 8 }, () => rr.pick()!.name);
  assert.deepEqual(picks, ['a', 'a', 'b', 'a', 'a', 'a', 'b', 'a']);
  const counts = new Map<string, number>();
  const rr2 = new RoundRobin([srv('x', 5), srv('y', 2), srv('z', 1)]);
  for (let i = 0; i < 800; i++) {
    const n = rr2.pick()!.name;
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(counts), { x: 500, y: 200, z: 100 });
});

test('no servers → undefined; weight 0 servers get nothing; except skips the failed one when another exists', () => {
  assert.equal(new RoundRobin([]).pick(), undefined);
  const rr = new RoundRobin([srv('a', 0), srv('b')]);
  assert.deepEqual([rr.pick()!.name, rr.pick()!.name], ['b', 'b']);
  const a = srv('a');
  const b = srv('b');
  const two = new RoundRobin([a, b]);
  assert.equal(two.pick(a), b);
  assert.equal(two.pick(b), a);
  const one = new RoundRobin([a]);
  assert.equal(one.pick(a), a);
});
