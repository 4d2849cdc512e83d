/** Decoding of service and catalog registrations into catalog records. */
import { BadRequestError } from '../structs/errors.js';
import { asObject, durationMs, field, formatDuration, identifier, nodeName, optObject, optString, port, serviceName, stringList, stringMap, tags, type Json } from './decode.js';
import { definitionOf, parseCheckDefinition, type CheckSpec } from './checks/spec.js';
import { CHECK_STATUSES, type CatalogService, type CheckDefinition, type CheckStatus, type ServiceWeights } from './types.js';
import type { CheckInput, NodeInput } from './writer.js';

export interface AgentServiceRegistration {
  service: CatalogService;
  specs: CheckSpec[];
}

/** PUT /v1/agent/service/register body. Check IDs default to `service:<id>` (then `:1`, `:2`…), as Consul names them. */
export function decodeAgentService(body: Json, node: string): AgentServiceRegistration {
  const name = serviceName(field(body, 'Name', 'Service'), 'Name');
  const id = identifier(field(body, 'ID'), 'ID') ?? name;
  const service: CatalogService = {
    Node: node,
    ID: id,
    Service: name,
    Tags: tags(field(body, 'Tags'), 'Tags'),
    Address: optString(field(body, 'Address'), 'Address') ?? '',
    Port: port(field(body, 'Port'), 'Port', false),
    Meta: stringMap(field(body, 'Meta'), 'Meta'),
    EnableTagOverride: field(body, 'EnableTagOverride') === true,
    ...weights(field(body, 'Weights'), 'Weights'),
  };
  const one = optObject(field(body, 'Check'), 'Check');
  const many = field(body, 'Checks');
  if (many !== undefined && many !== null && !Array.isArray(many)) throw new BadRequestError('Checks must be a list of check definitions');
  const defs = [...(one ? [one] : []), ...((many as unknown[] | null) ?? []).map((c, i) => asObject(c, `Checks[${i}]`))];
  const specs = defs.map((d, i) => parseCheckDefinition(d, defs.length > 1 ? `Checks[${i}]` : 'Check', defs.length > 1 ? `service:${id}:${i + 1}` : `service:${id}`, id));
  for (const s of specs) s.serviceId = id;
  return { service, specs };
}

/** The stored form of a check the agent runs itself. */
export function checkInputOf(spec: CheckSpec): CheckInput {
  return {
    CheckID: spec.id,
    Name: spec.name,
    Status: spec.initialStatus,
    Notes: spec.notes,
    Output: '',
    ServiceID: spec.serviceId,
    Type: spec.kind,
    Definition: definitionOf(spec),
  };
}

export interface CatalogRegistration {
  node: NodeInput;
  service?: CatalogService;
  checks: CheckInput[];
}

/**
 * PUT /v1/catalog/register body: node, optional Service, Check/Checks with
 * their Status. A check without Status keeps its stored one (or starts critical).
 */
export function decodeCatalogRegistration(body: Json, datacenter: string, storedStatus: (node: string, checkId: string) => CheckStatus | undefined): CatalogRegistration {
  const node = nodeName(field(body, 'Node'), 'Node');
  const address = optString(field(body, 'Address'), 'Address') ?? '';
  const svcBody = optObject(field(body, 'Service'), 'Service');
  let service: CatalogService | undefined;
  if (svcBody) {
    const name = serviceName(field(svcBody, 'Service', 'Name'), 'Service.Service');
    service = {
      Node: node,
      ID: identifier(field(svcBody, 'ID'), 'Service.ID') ?? name,
      Service: name,
      Tags: tags(field(svcBody, 'Tags'), 'Service.Tags'),
      Address: optString(field(svcBody, 'Address'), 'Service.Address') ?? '',
      Port: port(field(svcBody, 'Port'), 'Service.Port', false),
      Meta: stringMap(field(svcBody, 'Meta'), 'Service.Meta'),
      EnableTagOverride: field(svcBody, 'EnableTagOverride') === true,
      ...weights(field(svcBody, 'Weights'), 'Service.Weights'),
    };
  }
  const one = optObject(field(body, 'Check'), 'Check');
  const many = field(body, 'Checks');
  if (many !== undefined && many !== null && !Array.isArray(many)) throw new BadRequestError('Checks must be a list of checks');
  const defs = [...(one ? [one] : []), ...((many as unknown[] | null) ?? []).map((c, i) => asObject(c, `Checks[${i}]`))];
  const checks = defs.map((d, i) => catalogCheck(d, `Checks[${i}]`, node, service, storedStatus));
  return {
    node: { node, address, datacenter: optString(field(body, 'Datacenter'), 'Datacenter') || datacenter, taggedAddresses: stringMap(field(body, 'TaggedAddresses'), 'TaggedAddresses'), meta: stringMap(field(body, 'NodeMeta'), 'NodeMeta') },
    ...(service ? { service } : {}),
    checks,
  };
}

function catalogCheck(d: Json, where: string, node: string, service: CatalogService | undefined, storedStatus: (node: string, checkId: string) => CheckStatus | undefined): CheckInput {
  const id = identifier(field(d, 'CheckID', 'ID'), `${where}.CheckID`);
  if (!id) throw new BadRequestError(`${where}.CheckID is required`);
  const status = optString(field(d, 'Status'), `${where}.Status`);
  if (status && !CHECK_STATUSES.includes(status as CheckStatus)) throw new BadRequestError(`${where}.Status ${JSON.stringify(status)} must be passing, warning or critical`);
  const def = optObject(field(d, 'Definition'), `${where}.Definition`) ?? {};
  const definition = catalogDefinition(def, `${where}.Definition`);
  const type = optString(field(d, 'Type'), `${where}.Type`) || (definition.TTL ? 'ttl' : definition.HTTP ? 'http' : definition.TCP ? 'tcp' : definition.Args ? 'script' : '');
  return {
    CheckID: id,
    Name: optString(field(d, 'Name'), `${where}.Name`) || id,
    Status: (status as CheckStatus | undefined) || storedStatus(node, id) || 'critical',
    Notes: optString(field(d, 'Notes'), `${where}.Notes`) ?? '',
    Output: optString(field(d, 'Output'), `${where}.Output`) ?? '',
    ServiceID: identifier(field(d, 'ServiceID'), `${where}.ServiceID`) ?? service?.ID ?? '',
    Type: type,
    Definition: definition,
  };
}

function catalogDefinition(def: Json, where: string): CheckDefinition {
  const ms = (name: string) => durationMs(field(def, name), `${where}.${name}`);
  const [interval, timeout, ttl, after] = [ms('Interval'), ms('Timeout'), ms('TTL'), ms('DeregisterCriticalServiceAfter')];
  const args = field(def, 'Args', 'ScriptArgs');
  return {
    ...(interval !== undefined ? { Interval: formatDuration(interval) } : {}),
    ...(timeout !== undefined ? { Timeout: formatDuration(timeout) } : {}),
    ...(ttl !== undefined ? { TTL: formatDuration(ttl) } : {}),
    ...(optString(field(def, 'HTTP'), `${where}.HTTP`) ? { HTTP: field(def, 'HTTP') as string } : {}),
    ...(optString(field(def, 'TCP'), `${where}.TCP`) ? { TCP: field(def, 'TCP') as string } : {}),
    ...(args !== undefined ? { Args: stringList(args, `${where}.Args`) } : {}),
    ...(after !== undefined ? { DeregisterCriticalServiceAfterMs: after } : {}),
  };
}

/** `Weights: {Passing, Warning}` as Consul takes it: whole numbers, Passing at least 1, each defaulting to 1. */
export function weights(v: unknown, where: string): { Weights?: ServiceWeights } {
  const o = optObject(v, where);
  if (!o) return {};
  const one = (name: 'Passing' | 'Warning', min: number): number => {
    const w = field(o, name);
    if (w === undefined || w === null) return 1;
    if (typeof w !== 'number' || !Number.isInteger(w) || w < min || w > 65535) throw new BadRequestError(`${where}.${name} ${JSON.stringify(w)} must be a whole number from ${min} to 65535`);
    return w;
  };
  return { Weights: { Passing: one('Passing', 1), Warning: one('Warning', 0) } };
}
