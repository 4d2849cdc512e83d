/**
 * Catalog records as stored under /catalog/... in the shared store, in
 * Consul's field names so HTTP answers are mostly a projection of them.
 */
export type CheckStatus = 'passing' | 'warning' | 'critical';
export const CHECK_STATUSES: readonly CheckStatus[] = ['passing', 'warning', 'critical'];

export interface CatalogNode {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string>;
  Meta: Record<string, string>;
}

export interface CatalogService {
  Node: string;
  ID: string;
  Service: string;
  Tags: string[];
  /** Empty means "the node's address", as in Consul. */
  Address: string;
  Port: number;
  Meta: Record<string, string>;
  EnableTagOverride: boolean;
  /** Consul's load-balancing weights (absent = 1 and 1); the ingress balances passing instances by `Passing`. */
  Weights?: ServiceWeights;
}

export interface ServiceWeights {
  Passing: number;
  Warning: number;
}

/** How a check is run; kept so `health/checks` can show it and TTLs can be enforced. */
export interface CheckDefinition {
  Interval?: string;
  Timeout?: string;
  TTL?: string;
  HTTP?: string;
  TCP?: string;
  Method?: string;
  Header?: Record<string, string[]>;
  Body?: string;
  Args?: string[];
  SuccessBeforePassing?: number;
  FailuresBeforeCritical?: number;
  /** Milliseconds; the reaper removes the service after this long critical. */
  DeregisterCriticalServiceAfterMs?: number;
}

export interface CatalogCheck {
  Node: string;
  CheckID: string;
  Name: string;
  Status: CheckStatus;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  Type: string;
  Definition: CheckDefinition;
  /** Unix ms when the check last turned critical (reaper clock). */
  CriticalSince?: number;
}

export interface KvRecord {
  Key: string;
  Flags: number;
  /** base64, or null for an empty value. */
  Value: string | null;
  LockIndex: number;
}

/** A stored record with the store revisions that created and last changed it. */
export type Indexed<T> = T & { CreateIndex: number; ModifyIndex: number };

/** The node-level check that markNodeCritical turns critical, as Consul's serfHealth. */
export const NODE_CHECK_ID = 'serfHealth';
