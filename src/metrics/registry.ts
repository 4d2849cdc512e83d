/**
 * A small Prometheus registry shared by every role: counters, gauges and
 * histograms with labels, rendered in the text exposition format (0.0.4) or
 * as JSON. Values that are cheaper to read than to track (allocations by
 * status, catalog checks by status) come from collectors that run at scrape
 * time and set gauges from current state.
 */

export type Labels = Record<string, string>;

/** Default latency buckets in seconds (Prometheus client defaults plus a finer low end). */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

const labelKey = (labels: Labels): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`)
    .join(',');

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

const formatValue = (v: number): string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
  ) {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
  }
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  abstract lines(): string[];
  abstract snapshot(): unknown;
}

export class Counter extends Metric {
  readonly type = 'counter';
  private readonly values = new Map<string, number>();

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }

  lines(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${formatValue(v)}`);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.values);
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge';
  private values = new Map<string, number>();

  set(labels: Labels, value: number): void {
    this.values.set(labelKey(labels), value);
  }

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  /** Replace every series at once (collectors: series that vanished from the state vanish here too). */
  replace(series: [Labels, number][]): void {
    this.values = new Map(series.map(([l, v]) => [labelKey(l), v]));
  }

  get(labels: Labels = {}): number | undefined {
    return this.values.get(labelKey(labels));
  }

  lines(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${formatValue(v)}`);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.values);
  }
}

interface HistogramSeries {
  buckets: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric {
  readonly type = 'histogram';
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    name: string,
    help: string,
    readonly bounds: readonly number[] = LATENCY_BUCKETS,
  ) {
    super(name, help);
  }

  observe(labels: Labels, value: number): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { buckets: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 }));
    s.sum += value;
    s.count++;
    const i = this.bounds.findIndex((b) => value <= b);
    if (i >= 0) s.buckets[i]!++;
  }

  /** Time an async call, in seconds. */
  async time<T>(labels: Labels, call: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await call();
    } finally {
      this.observe(labels, (performance.now() - start) / 1000);
    }
  }

  lines(): string[] {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      const sep = k ? ',' : '';
      let cumulative = 0;
      this.bounds.forEach((b, i) => {
        cumulative += s.buckets[i]!;
        out.push(`${this.name}_bucket{${k}${sep}le="${b}"} ${cumulative}`);
      });
      out.push(`${this.name}_bucket{${k}${sep}le="+Inf"} ${s.count}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ''} ${formatValue(s.sum)}`);
      out.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out;
  }

  snapshot(): Record<string, { count: number; sum: number }> {
    return Object.fromEntries([...this.series].map(([k, s]) => [k, { count: s.count, sum: s.sum }]));
  }
}

export type Collector = () => void;

/** One per agent: every role registers its metrics here; /v1/metrics renders them all. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors = new Set<Collector>();

  counter(name: string, help: string): Counter {
    return this.getOrAdd(name, () => new Counter(name, help));
  }

  gauge(name: string, help: string): Gauge {
    return this.getOrAdd(name, () => new Gauge(name, help));
  }

  histogram(name: string, help: string, bounds?: readonly number[]): Histogram {
    return this.getOrAdd(name, () => new Histogram(name, help, bounds));
  }

  /** Run `collect` before every render (refresh gauges from state); returns how to remove it. */
  collect(collect: Collector): () => void {
    this.collectors.add(collect);
    return () => this.collectors.delete(collect);
  }

  /** The Prometheus text exposition format. */
  render(): string {
    this.runCollectors();
    const out: string[] = [];
    for (const m of [...this.metrics.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      out.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${m.name} ${m.type}`, ...m.lines());
    }
    return out.join('\n') + '\n';
  }

  /** The same figures as JSON: `{ name: { type, help, values } }`. */
  toJSON(): Record<string, { type: string; help: string; values: unknown }> {
    this.runCollectors();
    return Object.fromEntries([...this.metrics.values()].map((m) => [m.name, { type: m.type, help: m.help, values: m.snapshot() }]));
  }

  private runCollectors(): void {
    for (const c of this.collectors) c();
  }

  private getOrAdd<M extends Metric>(name: string, make: () => M): M {
    const existing = this.metrics.get(name);
    if (existing) return existing as M;
    const m = make();
    this.metrics.set(name, m);
    return m;
  }
}
