import type { Nanos } from './time.js';

/**
 * - `running`: replacing allocations, waiting for health
 * - `paused`: `deployment pause`: no further destructive updates or canaries
 *   are placed; allocations already placed keep running and their health is
 *   still tracked; the progress deadline does not apply (reset on resume)
 * - `successful`: every group has its desired count healthy
 * - `failed`: an allocation was unhealthy, the progress deadline passed, or `deployment fail`
 * - `cancelled`: superseded by a newer job version, or the job stopped
 */
export type DeploymentStatusName = 'running' | 'paused' | 'failed' | 'successful' | 'cancelled';

/** Per task group progress of a deployment (Nomad's DeploymentState). */
export interface DeploymentState {
  AutoRevert: boolean;
  AutoPromote: boolean;
  ProgressDeadline: Nanos;
  /** Unix nanoseconds; reset to now + ProgressDeadline on each healthy allocation. */
  RequireProgressBy: Nanos;
  Promoted: boolean;
  PlacedCanaries: string[];
  DesiredCanaries: number;
  DesiredTotal: number;
  PlacedAllocs: number;
  HealthyAllocs: number;
  UnhealthyAllocs: number;
}

export interface Deployment {
  ID: string;
  Namespace: string;
  JobID: string;
  JobVersion: number;
  JobModifyIndex: number;
  JobCreateIndex: number;
  Status: DeploymentStatusName;
  StatusDescription: string;
  TaskGroups: Record<string, DeploymentState>;
  CreateIndex: number;
  ModifyIndex: number;
  /** Unix nanoseconds. */
  CreateTime: Nanos;
  ModifyTime: Nanos;
}

/** Nomad's deployment status descriptions. */
export const DEPLOYMENT_DESC = {
  running: 'Deployment is running',
  paused: 'Deployment is paused',
  runningNeedsPromotion: 'Deployment is running but requires manual promotion',
  successful: 'Deployment completed successfully',
  unhealthy: 'Failed due to unhealthy allocations',
  progressDeadline: 'Failed due to progress deadline',
  failedByUser: 'Deployment marked as failed',
  newerJob: 'Cancelled because job is stopped or has a newer version',
} as const;

export const isDeploymentActive = (d: Pick<Deployment, 'Status'>): boolean => d.Status === 'running' || d.Status === 'paused';
