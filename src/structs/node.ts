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

/** A drain in progress (Nomad's DrainStrategy). */
export interface DrainStrategy {
  /** How long the drain may take, ns; 0 = no deadline, -1 = stop everything at once (force). */
  Deadline: Nanos;
  /** Leave system jobs' allocations on the node. */
  IgnoreSystemJobs: boolean;
  /** Unix ns after which whatever is left on the node is stopped; 0 = none. */
  ForceDeadline: Nanos;
  /** Unix ns when the drain started. */
  StartedAt: Nanos;
}

/** The outcome of the last drain on a node. */
export interface DrainMetadata {
  StartedAt: Nanos;
  UpdatedAt: Nanos;
  Status: 'draining' | 'complete' | 'canceled';
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
  /** Present while the node drains. */
  DrainStrategy?: DrainStrategy;
  LastDrain?: DrainMetadata;
  Version: string;
  /** Heartbeat TTL the server granted at the last heartbeat, nanoseconds. */
  HeartbeatTTL?: Nanos;
  CreateIndex: number;
  ModifyIndex: number;
}

export const DEFAULT_MIN_DYNAMIC_PORT = 20000;
export const DEFAULT_MAX_DYNAMIC_PORT = 32000;
