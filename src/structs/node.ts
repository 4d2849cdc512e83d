import type { Nanos } from './time.js';

/**
 * Node lifecycle:
 * - `initializing`: registered, fingerprint not complete
 * - `ready`: heartbeating, eligible for placements (unless ineligible/draining)
 * - `down`: missed its heartbeat TTL; its allocations are lost and replaced
 */
export type NodeStatus = 'initializing' | 'ready' | 'down';

export type SchedulingEligibility = 'eligible' | 'ineligible';

export interface DriverInfo {
  Detected: boolean;
  Healthy: boolean;
  HealthDescription: string;
  Attributes: Record<string, string>;
  UpdateTime: Nanos;
}

export interface NodeResources {
  Cpu: { CpuShares: number; TotalCpuCores: number };
  Memory: { MemoryMB: number };
  Disk: { DiskMB: number };
  MinDynamicPort: number;
  MaxDynamicPort: number;
}

export interface Node {
  ID: string;
  Name: string;
  Datacenter: string;
  NodeClass: string;
  NodePool: string;
  /** IP address that tasks' ports are reachable on. */
  Address: string;
  /** host:port of the client agent's HTTP endpoint (logs, exec). */
  HTTPAddr: string;
  Attributes: Record<string, string>;
  Meta: Record<string, string>;
  Drivers: Record<string, DriverInfo>;
  NodeResources: NodeResources;
  ReservedResources: { Cpu: { CpuShares: number }; Memory: { MemoryMB: number } };
  Status: NodeStatus;
  StatusDescription: string;
  StatusUpdatedAt: Nanos;
  SchedulingEligibility: SchedulingEligibility;
  Drain: boolean;
  Version: string;
  /** Heartbeat TTL the server granted at the last heartbeat, nanoseconds. */
  HeartbeatTTL?: Nanos;
  CreateIndex: number;
  ModifyIndex: number;
}

export const DEFAULT_MIN_DYNAMIC_PORT = 20000;
export const DEFAULT_MAX_DYNAMIC_PORT = 32000;
