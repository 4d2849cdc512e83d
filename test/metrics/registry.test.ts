import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricsRegistry, parsePrometheusText, sampleValue } from '../../src/metrics/index.js';
import { KilnError } from '../../src/structs/index.js';

test('counters, gauges and histograms render in the text format and parse back', () => {
  const m = new MetricsRegistry();
  const c = m.counter('kiln_things_total', 'Things.');
  c.inc({ kind: 'a' });
  c.inc({ kind: 'a' }, 2);
  c.inc({ kind: 'b "quoted"\n' });
  m.gauge('kiln_level', 'Level.').set({}, 7.5);
  const h = m.histogram('kiln_wait_seconds', 'Wait.', [0.1, 1]);
  h.observe({ op: 'x' }, 0.05);
  h.observe({ op: 'x' }, 0.5);
  h.observe({ op: 'x' }, 3);
  const text = m.render();
  assert.match(text, /^# HELP kiln_level Level\.\n# TYPE kiln_level gauge\nkiln_level 7\.5$/m);
  const parsed = parsePrometheusText(text);
  assert.equal(parsed.types.get('kiln_things_total'), 'counter');
  assert.equal(parsed.types.get('kiln_wait_seconds'), 'histogram');
  assert.equal(sampleValue(parsed, 'kiln_things_total', { kind: 'a' }), 3);
  assert.equal(sampleValue(parsed, 'kiln_things_total', { kind: 'b "quoted"\n' }), 1, 'label values are escaped and unescaped');
  // Buckets are cumulative and end in +Inf = count.
  assert.equal(sampleValue(parsed, 'kiln_wait_seconds_bucket', { op: 'x', le: '0.1' }), 1);
  assert.equal(sampleValue(parsed, 'kiln_wait_seconds_bucket', { op: 'x', le: '1' }), 2);
  assert.equal(sampleValue(parsed, 'kiln_wait_seconds_bucket', { op: 'x', le: '+Inf' }), 3);
  assert.equal(sampleValue(parsed, 'kiln_wait_seconds_count', { op: 'x' }), 3);
  assert.equal(sampleValue(parsed, 'kiln_wait_seconds_sum', { op: 'x' }), 3.55);
});

test('collectors refresh gauges at every scrape, and series that vanished from the state vanish', () => {
  const m = new MetricsRegistry();
  const g = m.gauge('kiln_allocations', 'Allocations.');
  let state: [Record<string, string>, number][] = [[{ status: 'running' }, 2], [{ status: 'pending' }, 1]];
  const remove = m.collect(() => g.replace(state));
  assert.equal(sampleValue(parsePrometheusText(m.render()), 'kiln_allocations', { status: 'pending' }), 1);
  state = [[{ status: 'running' }, 3]];
  const after = parsePrometheusText(m.render());
  assert.equal(sampleValue(after, 'kiln_allocations', { status: 'running' }), 3);
  assert.equal(sampleValue(after, 'kiln_allocations', { status: 'pending' }), undefined);
  remove();
  state = [];
  assert.equal(sampleValue(parsePrometheusText(m.render()), 'kiln_allocations', { status: 'running' }), 3, 'a removed collector no longer runs');
  assert.deepEqual((m.toJSON().kiln_allocations as { values: unknown }).values, { 'status="running"': 3 });
});

test('the same name returns the same metric; a bad name or a malformed line is refused', () => {
  const m = new MetricsRegistry();
  assert.equal(m.counter('kiln_x_total', 'X.'), m.counter('kiln_x_total', 'X.'));
  assert.throws(() => m.counter('kiln-bad', 'Bad.'), /invalid metric name/);
  assert.throws(() => parsePrometheusText('kiln_ok 1\nthis is not a sample\n'), (err: unknown) => err instanceof KilnError && /line 2/.test(err.message));
  assert.throws(() => parsePrometheusText('kiln_x{a="1" b} 1\n'), (err: unknown) => err instanceof KilnError && /bad label set/.test(err.message));
  assert.deepEqual(parsePrometheusText('kiln_inf +Inf\nkiln_nan NaN\n').samples.map((s) => s.value), [Infinity, NaN]);
});
