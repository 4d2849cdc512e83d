/**
 * A parser for the Prometheus text exposition format (the subset kiln and
 * its ingress emit: HELP/TYPE comments, samples with optional labels and no
 * timestamps). Used by tests and by `kiln` tooling that reads an agent's metrics.
 */
import { KilnError } from '../structs/index.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedMetrics {
  types: Map<string, string>;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/y;

export function parsePrometheusText(text: string): ParsedMetrics {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+TYPE\s+(\S+)\s+(counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (m) types.set(m[1]!, m[2]!);
      return;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new KilnError('BAD_REQUEST', `metrics line ${i + 1} is not a Prometheus sample: ${line}`);
    samples.push({ name: m[1]!, labels: parseLabels(m[2] ?? '', i + 1), value: parseValue(m[3]!, i + 1) });
  });
  return { types, samples };
}

function parseLabels(body: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < body.length) {
    const at = LABEL.lastIndex;
    const m = LABEL.exec(body);
    if (!m) throw new KilnError('BAD_REQUEST', `metrics line ${line}: bad label set at "${body.slice(at)}"`);
    labels[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  return labels;
}

function parseValue(v: string, line: number): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  const n = Number(v);
  if (v !== 'NaN' && Number.isNaN(n)) throw new KilnError('BAD_REQUEST', `metrics line ${line}: value "${v}" is not a number`);
  return n;
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when none matches. */
export function sampleValue(parsed: ParsedMetrics, name: string, labels: Record<string, string> = {}): number | undefined {
  return parsed.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
