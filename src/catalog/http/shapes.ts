/** Consul's JSON shapes, projected from stored records. */
import { formatDuration } from '../decode.js';
import type { CatalogCheck, CatalogNode, CatalogService, Indexed } from '../types.js';

const WEIGHTS = { Passing: 1, Warning: 1 };

export function nodeJson(n: Indexed<CatalogNode>) {
  return { ID: n.ID, Node: n.Node, Address: n.Address, Datacenter: n.Datacenter, TaggedAddresses: n.TaggedAddresses, Meta: n.Meta, CreateIndex: n.CreateIndex, ModifyIndex: n.ModifyIndex };
}

export function serviceJson(s: Indexed<CatalogService>) {
  return {
    Kind: '',
    ID: s.ID,
    Service: s.Service,
    Tags: s.Tags,
    Address: s.Address,
    Meta: s.Meta,
    Port: s.Port,
    Weights: s.Weights ?? WEIGHTS,
    EnableTagOverride: s.EnableTagOverride,
    TaggedAddresses: {},
    CreateIndex: s.CreateIndex,
    ModifyIndex: s.ModifyIndex,
  };
}

/** Agent endpoints (agent/services) carry no indexes but a Datacenter. */
export function agentServiceJson(s: Indexed<CatalogService>, datacenter: string) {
  const { CreateIndex: _c, ModifyIndex: _m, ...rest } = serviceJson(s);
  return { ...rest, Datacenter: datacenter };
}

export function catalogServiceJson(s: Indexed<CatalogService>, n: Indexed<CatalogNode> | undefined) {
  return {
    ID: n?.ID ?? '',
    Node: s.Node,
    Address: n?.Address ?? '',
    Datacenter: n?.Datacenter ?? '',
    TaggedAddresses: n?.TaggedAddresses ?? {},
    NodeMeta: n?.Meta ?? {},
    ServiceKind: '',
    ServiceID: s.ID,
    ServiceName: s.Service,
    ServiceTags: s.Tags,
    ServiceAddress: s.Address,
    ServiceWeights: s.Weights ?? WEIGHTS,
    ServiceMeta: s.Meta,
    ServicePort: s.Port,
    ServiceTaggedAddresses: {},
    ServiceEnableTagOverride: s.EnableTagOverride,
    ServiceProxy: {},
    ServiceConnect: {},
    CreateIndex: s.CreateIndex,
    ModifyIndex: s.ModifyIndex,
  };
}

export function checkJson(c: Indexed<CatalogCheck>) {
  const d = c.Definition;
  const { DeregisterCriticalServiceAfterMs: after, ...def } = d;
  return {
    Node: c.Node,
    CheckID: c.CheckID,
    Name: c.Name,
    Status: c.Status,
    Notes: c.Notes,
    Output: c.Output,
    ServiceID: c.ServiceID,
    ServiceName: c.ServiceName,
    ServiceTags: c.ServiceTags,
    Type: c.Type,
    Interval: d.Interval ?? '',
    Timeout: d.Timeout ?? '',
    ExposedPort: 0,
    Definition: { ...def, ...(after !== undefined ? { DeregisterCriticalServiceAfter: formatDuration(after) } : {}) },
    CreateIndex: c.CreateIndex,
    ModifyIndex: c.ModifyIndex,
  };
}

/** Consul's AggregatedStatus: critical > warning > passing; no checks = passing. */
export function aggregateStatus(checks: readonly CatalogCheck[]): 'passing' | 'warning' | 'critical' {
  if (checks.some((c) => c.Status === 'critical')) return 'critical';
  if (checks.some((c) => c.Status === 'warning')) return 'warning';
  return 'passing';
}
