import type { CheckType, Service, ServiceCheck } from '../structs/job.js';
import { NS_PER_S } from '../structs/time.js';
import type { ProblemList } from './problems.js';
import { BodyReader, type BlockRef } from './reader.js';

const SERVICE_KEYS = ['name', 'port', 'tags', 'canary_tags', 'meta', 'check', 'provider', 'address_mode'];
const CHECK_KEYS = [
  'type', 'name', 'interval', 'timeout', 'path', 'method', 'protocol', 'port', 'command', 'args', 'header',
  'success_before_passing', 'failures_before_critical', 'check_restart',
];
const CHECK_RESTART_KEYS = ['limit', 'grace', 'ignore_warnings'];
const CHECK_TYPES: readonly CheckType[] = ['tcp', 'http', 'script', 'ttl', 'grpc'];
const NETWORK_CHECKS: readonly CheckType[] = ['tcp', 'http', 'grpc'];
/** RFC 1123 label, as Nomad requires, so the name also works as a DNS name in the catalog. */
const SERVICE_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/** What a service needs to know about where it sits. */
export interface ServiceScope {
  problems: ProblemList;
  defaultName: string;
  /** Port labels the group's network declares. */
  portLabels: readonly string[];
  groupName: string;
}

export function decodeService(ref: BlockRef, scope: ServiceScope): Service {
  const r = new BodyReader(ref.body, ref.path, scope.problems, 'service', SERVICE_KEYS);
  const name = r.string('name', scope.defaultName);
  if (!name.includes('${') && !SERVICE_NAME.test(name)) {
    r.problem(r.has('name') ? 'name' : undefined,
      `service name "${name}" is not valid: use letters, digits and dashes (at most 63), starting and ending with a letter or digit`);
  }
  const port = r.string('port', '');
  if (port !== '') checkPortLabel(r, 'port', port, `service "${name}"`, scope);
  const service: Service = { Name: name, PortLabel: port, Tags: r.stringList('tags') ?? [], Checks: [] };
  const canary = r.stringList('canary_tags');
  if (canary) service.CanaryTags = canary;
  if (r.has('meta')) service.Meta = r.stringMap('meta');
  if (r.has('provider')) service.Provider = r.oneOf('provider', ['consul', 'nomad'], 'consul');
  if (r.has('address_mode')) service.AddressMode = r.oneOf('address_mode', ['auto', 'host', 'driver', 'alloc'], 'auto');
  service.Checks = r.blocks('check').map((c) => decodeCheck(c, service, scope));
  return service;
}

function decodeCheck(ref: BlockRef, service: Service, scope: ServiceScope): ServiceCheck {
  const r = new BodyReader(ref.body, ref.path, scope.problems, `a check of service "${service.Name}"`, CHECK_KEYS);
  const type = r.has('type') ? r.oneOf('type', CHECK_TYPES, 'tcp') : missing(r, 'type', 'add type = "tcp" (or "http", "script", "grpc", "ttl")', 'tcp');
  const check: ServiceCheck = {
    Name: r.string('name', `service: "${service.Name}" check`),
    Type: type,
    Interval: requiredDuration(r, 'interval', '10s'),
    Timeout: requiredDuration(r, 'timeout', '2s'),
  };
  optional(check, 'Path', r.string('path'));
  optional(check, 'Method', r.string('method') ?? (type === 'http' ? 'GET' : undefined));
  optional(check, 'Protocol', r.string('protocol'));
  optional(check, 'Command', r.string('command'));
  optional(check, 'Args', r.stringList('args'));
  const port = r.string('port');
  if (port !== undefined) {
    check.PortLabel = port;
    checkPortLabel(r, 'port', port, `check "${check.Name}"`, scope);
  }
  if (NETWORK_CHECKS.includes(type) && !port && !service.PortLabel) {
    r.problem(undefined, `${type} check "${check.Name}" has no port to probe; set port = "<label>" on the check or on service "${service.Name}"`);
  }
  if (type === 'http' && !check.Path) r.problem(undefined, `http check "${check.Name}" needs a path; add path = "/health"`);
  if (type === 'script' && !check.Command) r.problem(undefined, `script check "${check.Name}" needs a command; add command = "/bin/check"`);
  if (r.has('header')) check.Header = decodeHeader(r);
  if (r.has('success_before_passing')) check.SuccessBeforePassing = nonNegative(r, 'success_before_passing');
  if (r.has('failures_before_critical')) check.FailuresBeforeCritical = nonNegative(r, 'failures_before_critical');
  const restart = r.block('check_restart');
  if (restart) {
    const cr = r.child(restart, 'check_restart', CHECK_RESTART_KEYS);
    check.CheckRestart = {
      Limit: nonNegative(cr, 'limit'),
      Grace: cr.duration('grace', NS_PER_S),
      IgnoreWarnings: cr.bool('ignore_warnings', false),
    };
  }
  return check;
}

function missing<T>(r: BodyReader, key: string, fix: string, fallback: T): T {
  r.problem(undefined, `${r.what} has no "${key}"; ${fix}`);
  return fallback;
}

function requiredDuration(r: BodyReader, key: string, example: string): number {
  if (!r.has(key)) return missing(r, key, `checks need both interval and timeout: add ${key} = "${example}"`, 0);
  const ns = r.duration(key, -1); // -1: already reported as not a duration
  if (ns === 0) r.problem(key, `check ${key} must be greater than zero; write ${key} = "${example}"`);
  return Math.max(ns, 0);
}

function nonNegative(r: BodyReader, key: string): number {
  const n = r.integer(key, 0);
  if (n >= 0) return n;
  r.problem(key, `"${key}" is ${n}; use 0 or more`);
  return 0;
}

function decodeHeader(r: BodyReader): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(r.mapValue('header'))) {
    const list = Array.isArray(v) ? v : [v];
    if (list.every((x) => typeof x === 'string')) out[k] = list as string[];
    else r.problem('header', `header "${k}" must be a list of strings; write ${k} = ["value"]`);
  }
  return out;
}

function optional<K extends keyof ServiceCheck>(check: ServiceCheck, key: K, value: ServiceCheck[K] | undefined): void {
  if (value !== undefined) check[key] = value;
}

/** A numeric port is allowed (Nomad's address_mode = "driver"); a label must be declared in the group network. */
export function checkPortLabel(r: BodyReader, key: string, label: string, user: string, scope: ServiceScope): void {
  if (/^\d+$/.test(label) || label.includes('${') || scope.portLabels.includes(label)) return;
  r.problem(key, undeclaredPortMessage(label, user, scope.groupName, scope.portLabels));
}

export function undeclaredPortMessage(label: string, user: string, group: string, declared: readonly string[]): string {
  const known = declared.length ? `declared ports: ${declared.join(', ')}` : 'it declares no ports';
  return `${user} uses port "${label}" but group "${group}" does not declare it (${known}); add port "${label}" {} to the group's network block`;
}
