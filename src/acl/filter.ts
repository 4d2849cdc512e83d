/**
 * Result filtering, as Consul and Nomad do it: a list answers with only the
 * items the token may read instead of refusing the whole list. Pure: each
 * filter takes an identity and a route's answer (as the handler returned it,
 * before serialisation) and gives back the visible part and whether anything
 * was dropped. An answer of an unexpected shape is dropped whole (fail closed).
 */
import { isAllowed } from './authorize.js';
import type { Identity } from './types.js';

export interface Filtered {
  body: unknown;
  /** Something was hidden: Consul then sets X-Consul-Results-Filtered-By-ACLs. */
  dropped: boolean;
  /** Nothing is left where the route answers "nothing" with an empty 404 (Consul's KV reads). */
  notFound?: boolean;
}
export type ResultFilter = (identity: Identity, body: unknown) => Filtered;

export const canReadService = (id: Identity, name: string): boolean => isAllowed(id, { scope: 'service', access: 'read', name });
export const canReadKey = (id: Identity, key: string): boolean => isAllowed(id, { scope: 'key', access: 'read', key });
export const canReadNode = (id: Identity): boolean => isAllowed(id, { scope: 'node', access: 'read' });
export const canReadJobsIn = (id: Identity, namespace: string): boolean => isAllowed(id, { scope: 'namespace', capability: 'read-job', namespace });

type Item = Record<string, unknown>;
const isItem = (v: unknown): v is Item => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A check belongs to its service; a node-level check (no ServiceName) needs node read, as in Consul. */
export const canReadCheck = (id: Identity, check: Item): boolean => (text(check.ServiceName) !== '' ? canReadService(id, text(check.ServiceName)) : canReadNode(id));

function keepInArray(body: unknown, keep: (item: unknown) => boolean): Filtered {
  if (!Array.isArray(body)) return { body: [], dropped: true };
  const visible = body.filter(keep);
  return { body: visible, dropped: visible.length !== body.length };
}

function keepInRecord(body: unknown, keep: (key: string, value: unknown) => boolean): Filtered {
  if (!isItem(body)) return { body: {}, dropped: true };
  const entries = Object.entries(body);
  const visible = entries.filter(([k, v]) => keep(k, v));
  return { body: Object.fromEntries(visible), dropped: visible.length !== entries.length };
}

/** GET /v1/catalog/services: `{name: tags[]}`. */
export const filterServiceNames: ResultFilter = (id, body) => keepInRecord(body, (name) => canReadService(id, name));

/** GET /v1/agent/services: `{serviceID: {Service, …}}`. */
export const filterAgentServices: ResultFilter = (id, body) => keepInRecord(body, (_id, s) => isItem(s) && canReadService(id, text(s.Service)));

/** GET /v1/health/state/:state and /v1/health/node/:node: checks as an array. */
export const filterChecks: ResultFilter = (id, body) => keepInArray(body, (c) => isItem(c) && canReadCheck(id, c));

/** GET /v1/agent/checks: `{checkID: check}`. */
export const filterCheckMap: ResultFilter = (id, body) => keepInRecord(body, (_id, c) => isItem(c) && canReadCheck(id, c));

/** GET /v1/catalog/node/:node: the node needs node read (else the answer is null), its services service read each. */
export const filterNodeServices: ResultFilter = (id, body) => {
  if (body === null) return { body, dropped: false };
  if (!isItem(body) || !canReadNode(id)) return { body: null, dropped: true };
  const services = filterAgentServices(id, body.Services ?? {});
  return { body: { ...body, Services: services.body }, dropped: services.dropped };
};

/** GET /v1/kv/<prefix>: entries (`{Key, …}`) or, with ?keys, key names; each by key_prefix read. */
export const filterKv: ResultFilter = (id, body) => {
  const out = keepInArray(body, (e) => (typeof e === 'string' ? canReadKey(id, e) : isItem(e) && canReadKey(id, text(e.Key))));
  return { ...out, notFound: (out.body as unknown[]).length === 0 };
};

/** Nomad lists (jobs, allocations, evaluations, deployments): items in namespaces where the token has read-job. */
export const filterByNamespace: ResultFilter = (id, body) => keepInArray(body, (x) => isItem(x) && canReadJobsIn(id, text(x.Namespace)));
