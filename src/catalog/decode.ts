/**
 * Decoding of Consul request bodies: keys are matched as Consul matches them
 * (case-insensitively, snake_case accepted), values are validated, and bad
 * input becomes a BadRequestError that says which field and how to fix it.
 */
import { BadRequestError } from '../structs/errors.js';

export type Json = Record<string, unknown>;

const norm = (k: string) => k.toLowerCase().replace(/_/g, '');

/** The value of `name` in `obj`, matching keys case-insensitively and ignoring underscores. */
export function field(obj: Json | undefined, ...names: string[]): unknown {
  if (!obj) return undefined;
  for (const name of names) {
    const want = norm(name);
    for (const k of Object.keys(obj)) if (norm(k) === want) return obj[k];
  }
  return undefined;
}

export function asObject(v: unknown, where: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BadRequestError(`${where} must be a JSON object`);
  return v as Json;
}

export function optObject(v: unknown, where: string): Json | undefined {
  return v === undefined || v === null ? undefined : asObject(v, where);
}

export function optString(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BadRequestError(`${where} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

export function optInt(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new BadRequestError(`${where} must be a non-negative whole number, got ${JSON.stringify(v)}`);
  return v;
}

export function stringList(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) throw new BadRequestError(`${where} must be a list of strings`);
  return v as string[];
}

export function stringMap(v: unknown, where: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  const o = asObject(v, where);
  for (const [k, val] of Object.entries(o)) if (typeof val !== 'string') throw new BadRequestError(`${where}.${k} must be a string`);
  return o as Record<string, string>;
}

const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const NODE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const PRINTABLE = /^[^\s\u0000-\u001f\u007f]{1,255}$/;
/** Tags may hold spaces (Traefik rules such as `Host(`a`) && PathPrefix(`/b`)`), not control characters. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const TAG = /^[^\u0000-\u001f\u007f]{1,255}$/;

export function serviceName(v: unknown, where: string): string {
  const name = optString(v, where);
  if (!name || !DNS_LABEL.test(name)) {
    throw new BadRequestError(`${where} ${JSON.stringify(name ?? '')} is not a DNS-safe name: use 1-63 letters, digits and '-', not starting or ending with '-' (e.g. "hello-web")`);
  }
  return name;
}

export function nodeName(v: unknown, where: string): string {
  const name = optString(v, where);
  if (!name || !NODE_NAME.test(name)) throw new BadRequestError(`${where} ${JSON.stringify(name ?? '')} is not a valid node name: use letters, digits, '.', '_' and '-'`);
  return name;
}

/** Tags are free-form in Consul (Traefik puts rules in them); only empty tags and control characters are refused. */
export function tags(v: unknown, where: string): string[] {
  const list = stringList(v, where);
  for (const t of list) if (!TAG.test(t)) throw new BadRequestError(`${where} has an invalid tag ${JSON.stringify(t)}: tags are 1-255 characters without control characters`);
  return list;
}

export function identifier(v: unknown, where: string): string | undefined {
  const id = optString(v, where);
  if (id === undefined || id === '') return undefined;
  if (!PRINTABLE.test(id)) throw new BadRequestError(`${where} ${JSON.stringify(id)} is invalid: IDs are 1-255 characters without spaces or control characters`);
  return id;
}

export function port(v: unknown, where: string, required: boolean): number {
  if ((v === undefined || v === null) && !required) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) throw new BadRequestError(`${where} ${JSON.stringify(v)} is out of range: a port is a whole number from 1 to 65535`);
  return v;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("10s", "1m30s", "500ms") or a number of nanoseconds, as milliseconds. */
export function durationMs(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v / 1e6;
  if (typeof v === 'string') {
    const ms = parseGoDuration(v);
    if (ms !== undefined) return ms;
  }
  throw new BadRequestError(`${where} ${JSON.stringify(v)} is not a duration: write e.g. "10s", "500ms" or "1m"`);
}

export function parseGoDuration(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) / 1e6; // bare numbers are nanoseconds, as in Go
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}

/** Go's time.Duration String() for whole milliseconds, as Consul prints Interval/Timeout. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}
