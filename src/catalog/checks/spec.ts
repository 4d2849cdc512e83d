/** What a check runner needs to run one check, decoded from a Consul check definition. */
import { BadRequestError } from '../../structs/errors.js';
import { durationMs, field, formatDuration, identifier, optInt, optObject, optString, parseGoDuration, stringList, type Json } from '../decode.js';
import { CHECK_STATUSES, type CatalogCheck, type CheckDefinition, type CheckStatus } from '../types.js';

export type CheckKind = 'tcp' | 'http' | 'script' | 'ttl';

export interface CheckSpec {
  id: string;
  name: string;
  notes: string;
  /** '' for a node-level check. */
  serviceId: string;
  kind: CheckKind;
  intervalMs: number;
  timeoutMs: number;
  ttlMs: number;
  tcp?: string;
  http?: string;
  method?: string;
  header?: Record<string, string[]>;
  body?: string;
  /** Command and arguments of a script check. */
  args?: string[];
  successBeforePassing: number;
  failuresBeforeCritical: number;
  initialStatus: CheckStatus;
  deregisterAfterMs?: number;
}

/** Consul's default timeouts per kind. */
export const DEFAULT_TIMEOUT_MS: Record<CheckKind, number> = { tcp: 10_000, http: 10_000, script: 30_000, ttl: 0 };
/** Consul's floor for deregister_critical_service_after. */
export const MIN_DEREGISTER_AFTER_MS = 60_000;

const UNSUPPORTED = ['UDP', 'GRPC', 'H2Ping', 'DockerContainerID', 'AliasNode', 'AliasService', 'OSService'];

/** Decode one check definition (agent API shape); `defaultId` names checks without an ID. */
export function parseCheckDefinition(body: Json, where: string, defaultId: string, serviceId = ''): CheckSpec {
  const http = optString(field(body, 'HTTP'), `${where}.HTTP`);
  const tcp = optString(field(body, 'TCP'), `${where}.TCP`);
  const args = field(body, 'Args', 'ScriptArgs') === undefined ? undefined : stringList(field(body, 'Args', 'ScriptArgs'), `${where}.Args`);
  const ttlMs = durationMs(field(body, 'TTL'), `${where}.TTL`);
  const kinds: [CheckKind, boolean][] = [['http', !!http], ['tcp', !!tcp], ['script', !!args?.length], ['ttl', ttlMs !== undefined]];
  const present = kinds.filter(([, on]) => on).map(([k]) => k);
  const unsupported = UNSUPPORTED.find((k) => field(body, k) !== undefined);
  if (unsupported) throw new BadRequestError(`${where}: check type ${unsupported} is not supported; use HTTP, TCP, Args (script) or TTL`);
  if (field(body, 'Script') !== undefined) throw new BadRequestError(`${where}: "Script" was removed in Consul 1.0; give the command as "Args": ["cmd", "arg"]`);
  if (present.length !== 1) {
    throw new BadRequestError(`${where} must have exactly one check type: one of HTTP, TCP, Args (script) or TTL${present.length ? ` (got ${present.join(', ')})` : ''}`);
  }
  const kind = present[0]!;
  const intervalMs = durationMs(field(body, 'Interval'), `${where}.Interval`);
  if (kind !== 'ttl' && (intervalMs === undefined || intervalMs < 100)) throw new BadRequestError(`${where}.Interval is required for ${kind} checks and must be at least 100ms (e.g. "10s")`);
  if (tcp && !/^[^:\s]+:\d{1,5}$/.test(tcp) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(tcp)) throw new BadRequestError(`${where}.TCP ${JSON.stringify(tcp)} must be host:port (e.g. "127.0.0.1:8080")`);
  if (http && !/^https?:\/\//.test(http)) throw new BadRequestError(`${where}.HTTP ${JSON.stringify(http)} must be an http:// or https:// URL`);
  const status = optString(field(body, 'Status'), `${where}.Status`);
  if (status !== undefined && status !== '' && !CHECK_STATUSES.includes(status as CheckStatus)) throw new BadRequestError(`${where}.Status ${JSON.stringify(status)} must be passing, warning or critical`);
  const deregisterAfterMs = durationMs(field(body, 'DeregisterCriticalServiceAfter'), `${where}.DeregisterCriticalServiceAfter`);
  return {
    id: identifier(field(body, 'CheckID', 'ID'), `${where}.CheckID`) ?? defaultId,
    name: optString(field(body, 'Name'), `${where}.Name`) || `Service '${serviceId || defaultId}' check`,
    notes: optString(field(body, 'Notes'), `${where}.Notes`) ?? '',
    serviceId: identifier(field(body, 'ServiceID'), `${where}.ServiceID`) ?? serviceId,
    kind,
    intervalMs: intervalMs ?? 0,
    timeoutMs: durationMs(field(body, 'Timeout'), `${where}.Timeout`) ?? DEFAULT_TIMEOUT_MS[kind],
    ttlMs: ttlMs ?? 0,
    ...(tcp ? { tcp } : {}),
    ...(http ? { http, method: optString(field(body, 'Method'), `${where}.Method`) || 'GET', header: headerMap(field(body, 'Header'), `${where}.Header`) } : {}),
    ...(http && field(body, 'Body') !== undefined ? { body: optString(field(body, 'Body'), `${where}.Body`) } : {}),
    ...(args?.length ? { args } : {}),
    successBeforePassing: optInt(field(body, 'SuccessBeforePassing'), `${where}.SuccessBeforePassing`) ?? 0,
    failuresBeforeCritical: optInt(field(body, 'FailuresBeforeCritical'), `${where}.FailuresBeforeCritical`) ?? 0,
    initialStatus: (status || 'critical') as CheckStatus,
    ...(deregisterAfterMs !== undefined ? { deregisterAfterMs: deregisterAfterMs } : {}),
  };
}

function headerMap(v: unknown, where: string): Record<string, string[]> {
  const o = optObject(v, where) ?? {};
  const out: Record<string, string[]> = {};
  for (const [k, val] of Object.entries(o)) out[k] = typeof val === 'string' ? [val] : stringList(val, `${where}.${k}`);
  return out;
}

/** The stored Definition of a spec (shown by health/checks, read by the TTL and reaper logic). */
export function definitionOf(spec: CheckSpec): CheckDefinition {
  return {
    ...(spec.intervalMs ? { Interval: formatDuration(spec.intervalMs), Timeout: formatDuration(spec.timeoutMs) } : {}),
    ...(spec.ttlMs ? { TTL: formatDuration(spec.ttlMs) } : {}),
    ...(spec.http ? { HTTP: spec.http, Method: spec.method ?? 'GET', ...(spec.header && Object.keys(spec.header).length ? { Header: spec.header } : {}), ...(spec.body !== undefined ? { Body: spec.body } : {}) } : {}),
    ...(spec.tcp ? { TCP: spec.tcp } : {}),
    ...(spec.args ? { Args: spec.args } : {}),
    ...(spec.successBeforePassing ? { SuccessBeforePassing: spec.successBeforePassing } : {}),
    ...(spec.failuresBeforeCritical ? { FailuresBeforeCritical: spec.failuresBeforeCritical } : {}),
    ...(spec.deregisterAfterMs !== undefined ? { DeregisterCriticalServiceAfterMs: spec.deregisterAfterMs } : {}),
  };
}

/** Rebuild a runnable spec from a stored check (an agent restart resumes its checks). */
export function specFromStored(c: CatalogCheck): CheckSpec | undefined {
  const ms = (d: string | undefined) => (d ? parseGoDuration(d) : undefined);
  const kind: CheckKind | undefined = c.Definition.TTL ? 'ttl' : c.Definition.HTTP ? 'http' : c.Definition.TCP ? 'tcp' : c.Definition.Args?.length ? 'script' : undefined;
  if (!kind) return undefined;
  const d = c.Definition;
  return {
    id: c.CheckID,
    name: c.Name,
    notes: c.Notes,
    serviceId: c.ServiceID,
    kind,
    intervalMs: ms(d.Interval) ?? 0,
    timeoutMs: ms(d.Timeout) ?? DEFAULT_TIMEOUT_MS[kind],
    ttlMs: ms(d.TTL) ?? 0,
    ...(d.TCP ? { tcp: d.TCP } : {}),
    ...(d.HTTP ? { http: d.HTTP, method: d.Method ?? 'GET', header: d.Header ?? {}, ...(d.Body !== undefined ? { body: d.Body } : {}) } : {}),
    ...(d.Args?.length ? { args: d.Args } : {}),
    successBeforePassing: d.SuccessBeforePassing ?? 0,
    failuresBeforeCritical: d.FailuresBeforeCritical ?? 0,
    initialStatus: c.Status,
    ...(d.DeregisterCriticalServiceAfterMs !== undefined ? { deregisterAfterMs: d.DeregisterCriticalServiceAfterMs } : {}),
  };
}
