import type { Nanos } from '../structs/time.js';
import { DURATION_HINT, parseGoDuration } from './duration.js';
import type { Path } from './locate.js';
import type { ProblemList } from './problems.js';

/** One HCL body as hcl2json gives it: attributes are values, blocks are arrays of bodies. */
export type Body = Record<string, unknown>;

export interface BlockRef {
  body: Body;
  path: Path;
}

export interface LabeledBlockRef extends BlockRef {
  label: string;
}

/** Nomad blocks kiln does not implement: named in the error so users know it is not a typo. */
const NOMAD_ONLY = new Set([
  'migrate', 'affinity', 'spread', 'scaling', 'template', 'artifact',
  'volume', 'volume_mount', 'vault', 'consul', 'lifecycle', 'ephemeral_disk', 'csi_plugin',
  'identity', 'multiregion', 'node_pool', 'all_at_once', 'user', 'disconnect', 'ui',
]);

const isBody = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

export function describeType(v: unknown): string {
  if (Array.isArray(v)) return v.every(isBody) && v.length > 0 ? 'a block' : 'a list';
  if (v === null) return 'null';
  if (isBody(v)) return 'a map';
  return `a ${typeof v}`;
}

/**
 * Typed access to one body, recording a problem (with the field's path) for
 * every wrong type or unknown key and returning a default so decoding goes on.
 */
export class BodyReader {
  constructor(
    readonly body: Body,
    readonly path: Path,
    readonly problems: ProblemList,
    readonly what: string,
    known: readonly string[],
  ) {
    for (const key of Object.keys(body)) {
      if (!known.includes(key)) this.problems.add([...path, key], unknownKeyMessage(key, what, known));
    }
  }

  /** A reader for a nested block, sharing this reader's problem list. */
  child(ref: BlockRef, what: string, known: readonly string[]): BodyReader {
    return new BodyReader(ref.body, ref.path, this.problems, what, known);
  }

  at(key: string): Path {
    return [...this.path, key];
  }

  problem(key: string | undefined, message: string): void {
    this.problems.add(key === undefined ? this.path : this.at(key), message);
  }

  has(key: string): boolean {
    return this.body[key] !== undefined && this.body[key] !== null;
  }

  string(key: string): string | undefined;
  string(key: string, fallback: string): string;
  string(key: string, fallback?: string): string | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    this.problem(key, `"${key}" must be a string, not ${describeType(v)}; write ${key} = "value"`);
    return fallback;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.string(key);
    if (v === undefined) return fallback;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    this.problem(key, `"${key}" is "${v}"; use one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return fallback;
  }

  integer(key: string, fallback: number): number {
    const v = this.body[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) {
      this.problem(key, `"${key}" must be a number, not a string; remove the quotes: ${key} = ${v.trim()}`);
    } else {
      this.problem(key, `"${key}" must be a whole number, not ${describeType(v)} (${JSON.stringify(v)}); write ${key} = 3`);
    }
    return fallback;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.body[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    this.problem(key, `"${key}" must be true or false, not ${describeType(v)} (${JSON.stringify(v)})`);
    return fallback;
  }

  duration(key: string, fallback: Nanos): Nanos {
    const v = this.body[key];
    if (v === undefined || v === null) return fallback;
    const ns = typeof v === 'string' ? parseGoDuration(v) : undefined;
    if (ns === undefined) {
      this.problem(key, `"${key}" = ${JSON.stringify(v)} is not a duration; ${DURATION_HINT}`);
      return fallback;
    }
    if (ns < 0) {
      this.problem(key, `"${key}" must not be negative; ${DURATION_HINT}`);
      return fallback;
    }
    return ns;
  }

  stringList(key: string): string[] | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v) && v.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) return v.map(String);
    this.problem(key, `"${key}" must be a list of strings, not ${describeType(v)}; write ${key} = ["a", "b"]`);
    return undefined;
  }

  /** A map of strings, written either as `key = { … }` or as a `key { … }` block. */
  stringMap(key: string): Record<string, string> {
    const raw = this.mapValue(key);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) {
      if (['string', 'number', 'boolean'].includes(typeof v)) out[k] = String(v);
      else this.problems.add([...this.at(key), k], `"${key}.${k}" must be a string, not ${describeType(v)}`);
    }
    return out;
  }

  /** A free-form map (driver config), written as an attribute or as one block. */
  mapValue(key: string): Body {
    const v = this.body[key];
    if (v === undefined || v === null) return {};
    if (isBody(v)) return v;
    if (Array.isArray(v) && v.length === 1 && isBody(v[0])) return v[0];
    if (Array.isArray(v) && v.length > 1 && v.every(isBody)) {
      this.problems.add([...this.at(key), 1], `only one "${key}" block is allowed in ${this.what}; merge them`);
      return v[0] as Body;
    }
    this.problem(key, `"${key}" must be a map, not ${describeType(v)}; write ${key} { name = "value" }`);
    return {};
  }

  /** Repeatable unlabeled blocks such as `service` or `check`. */
  blocks(key: string): BlockRef[] {
    const v = this.body[key];
    if (v === undefined || v === null) return [];
    const list = Array.isArray(v) ? v : [v];
    if (!list.every(isBody)) {
      this.problem(key, `"${key}" must be a block, not ${describeType(v)}; write ${key} { … }`);
      return [];
    }
    return list.map((body, i) => ({ body, path: [...this.at(key), i] }));
  }

  /** A block that may appear at most once, such as `resources` or `restart`. */
  block(key: string): BlockRef | undefined {
    const all = this.blocks(key);
    if (all.length > 1) this.problems.add([...this.at(key), 1], `only one "${key}" block is allowed in ${this.what}; merge them`);
    return all[0];
  }

  /** Labeled blocks such as `group "name" { … }`; duplicate labels are reported once each. */
  labeled(key: string, kind: string): LabeledBlockRef[] {
    const v = this.body[key];
    if (v === undefined || v === null) return [];
    if (!isBody(v)) {
      this.problem(key, `"${key}" must be a labeled block; write ${key} "name" { … }`);
      return [];
    }
    const out: LabeledBlockRef[] = [];
    for (const [label, blocks] of Object.entries(v)) {
      const list = Array.isArray(blocks) ? blocks : [];
      if (list.length === 0 || !list.every(isBody)) {
        this.problems.add([...this.at(key), label], `${kind} "${label}" must be a block with exactly one label; write ${key} "${label}" { … }`);
        continue;
      }
      list.slice(1).forEach((_, i) => {
        this.problems.add([...this.at(key), label, i + 1], `duplicate ${kind} "${label}" in ${this.what}; ${kind} names must be unique, rename or remove one`);
      });
      out.push({ label, body: list[0] as Body, path: [...this.at(key), label] });
    }
    return out;
  }
}

function unknownKeyMessage(key: string, what: string, known: readonly string[]): string {
  if (NOMAD_ONLY.has(key)) return `"${key}" in ${what} is a Nomad feature kiln does not support; remove it`;
  const close = known.find((k) => editDistance(k, key) <= 2);
  const hint = close ? `did you mean "${close}"?` : `valid fields are ${known.join(', ')}`;
  return `unknown field "${key}" in ${what}; ${hint}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}
