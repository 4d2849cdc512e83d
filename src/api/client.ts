/**
 * Typed HTTP client for the kiln server API (docs/api.md). Used by the CLI,
 * the client agent (as its NodeServerApi) and the UI/ingress.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Allocation, Deployment, Evaluation, Job, Node, NodeStatus, Nanos, SchedulingEligibility } from '../structs/index.js';
import { KilnError } from '../structs/index.js';
import type { AllocClientUpdate, JobRegisterResponse, NodeRegisterResponse, NodeServerApi, QueryOptions, QueryResult } from './types.js';
import type {
  AgentHealth,
  AgentSelf,
  AllocListStub,
  AllocStopResponse,
  DeploymentUpdateResponse,
  JobDeregisterResponse,
  JobDispatchResponse,
  JobListStub,
  PeriodicForceResponse,
  JobPlanResponse,
  JobSummary,
  JobValidateResponse,
  JobVersionsResponse,
  LogStreamOptions,
  NodeListStub,
} from './responses.js';
import { HttpTransport, formatWait } from './transport.js';
import type { QueryValue, RequestSpec } from './transport.js';
import { decodeLogFrames, plainChunks } from './logs.js';
import type { AclPolicy, AclToken } from '../acl/types.js';
import { isRecord } from './errors.js';

export interface KilnClientOptions {
  /** One server address (`http://127.0.0.1:4646` or `127.0.0.1:4646`). */
  address?: string;
  /** Several servers, tried in order when one cannot be reached. */
  addresses?: string[];
  token?: string;
  fetch?: typeof fetch;
  /** Per-request timeout, ms (blocking queries get their wait time on top). */
  timeoutMs?: number;
  /** Sent as `?namespace=` when set. */
  namespace?: string;
}

export interface ParsedJob {
  job: Job;
  warnings: string[];
}

const enc = encodeURIComponent;
/** Node registration, heartbeats and client status updates: safe to send again to another server (src/api/failover.ts). */
const IDEMPOTENT = { idempotent: true };

export class KilnClient implements NodeServerApi {
  private readonly transport: HttpTransport;
  private readonly namespace?: string;

  constructor(opts: KilnClientOptions) {
    const addresses = opts.addresses ?? (opts.address !== undefined ? [opts.address] : []);
    this.transport = new HttpTransport({ addresses, token: opts.token, fetch: opts.fetch, timeoutMs: opts.timeoutMs });
    this.namespace = opts.namespace;
  }

  get addresses(): readonly string[] {
    return this.transport.addresses;
  }

  // ---- jobs

  listJobs(opts: QueryOptions & { prefix?: string } = {}): Promise<QueryResult<JobListStub[]>> {
    return this.query('/v1/jobs', opts, { prefix: opts.prefix });
  }

  registerJob(job: Job): Promise<JobRegisterResponse> {
    return this.write('POST', '/v1/jobs', { Job: job });
  }

  /** Server-side HCL parsing, so one parser serves every client. */
  async parseJob(jobHcl: string, canonicalize = true): Promise<ParsedJob> {
    const raw = await this.write<unknown>('POST', '/v1/jobs/parse', { JobHCL: jobHcl, Canonicalize: canonicalize });
    return unwrapParsedJob(raw);
  }

  validateJob(job: Job): Promise<JobValidateResponse> {
    return this.write('POST', '/v1/validate/job', { Job: job });
  }

  readJob(id: string, opts: QueryOptions = {}): Promise<QueryResult<Job>> {
    return this.query(`/v1/job/${enc(id)}`, opts);
  }

  jobVersions(id: string, opts: QueryOptions & { diffs?: boolean } = {}): Promise<QueryResult<JobVersionsResponse>> {
    return this.query(`/v1/job/${enc(id)}/versions`, opts, { diffs: opts.diffs || undefined });
  }

  /** Register version `version` of the job again, as a new version; `enforcePriorVersion` guards against a concurrent change. */
  revertJob(id: string, version: number, enforcePriorVersion?: number): Promise<JobRegisterResponse> {
    return this.write('POST', `/v1/job/${enc(id)}/revert`, { JobID: id, JobVersion: version, EnforcePriorVersion: enforcePriorVersion });
  }

  jobAllocations(id: string, opts: QueryOptions & { all?: boolean } = {}): Promise<QueryResult<AllocListStub[]>> {
    return this.query(`/v1/job/${enc(id)}/allocations`, opts, { all: opts.all || undefined });
  }

  jobEvaluations(id: string, opts: QueryOptions = {}): Promise<QueryResult<Evaluation[]>> {
    return this.query(`/v1/job/${enc(id)}/evaluations`, opts);
  }

  jobSummary(id: string, opts: QueryOptions = {}): Promise<QueryResult<JobSummary>> {
    return this.query(`/v1/job/${enc(id)}/summary`, opts);
  }

  planJob(job: Job, diff = true): Promise<JobPlanResponse> {
    return this.write('POST', `/v1/job/${enc(job.ID)}/plan`, { Job: job, Diff: diff });
  }

  stopJob(id: string, opts: { purge?: boolean } = {}): Promise<JobDeregisterResponse> {
    return this.write('DELETE', `/v1/job/${enc(id)}`, undefined, { purge: opts.purge || undefined });
  }

  /** `job dispatch`: a child of a parameterized job with this payload (sent base64) and meta. */
  dispatchJob(id: string, payload: Uint8Array | undefined, meta: Record<string, string>): Promise<JobDispatchResponse> {
    const body = { JobID: id, Payload: payload && payload.length > 0 ? Buffer.from(payload).toString('base64') : undefined, Meta: meta };
    return this.write('POST', `/v1/job/${enc(id)}/dispatch`, body);
  }

  /** `job periodic force`: launch a child of a periodic job now. */
  forcePeriodicJob(id: string): Promise<PeriodicForceResponse> {
    return this.write('POST', `/v1/job/${enc(id)}/periodic/force`, {});
  }

  // ---- deployments

  listDeployments(opts: QueryOptions & { prefix?: string } = {}): Promise<QueryResult<Deployment[]>> {
    return this.query('/v1/deployments', opts, { prefix: opts.prefix });
  }

  readDeployment(id: string, opts: QueryOptions = {}): Promise<QueryResult<Deployment>> {
    return this.query(`/v1/deployment/${enc(id)}`, opts);
  }

  deploymentAllocations(id: string, opts: QueryOptions = {}): Promise<QueryResult<Allocation[]>> {
    return this.query(`/v1/deployment/allocations/${enc(id)}`, opts);
  }

  promoteDeployment(id: string): Promise<DeploymentUpdateResponse> {
    return this.write('POST', `/v1/deployment/promote/${enc(id)}`, { DeploymentID: id, All: true });
  }

  failDeployment(id: string): Promise<DeploymentUpdateResponse> {
    return this.write('POST', `/v1/deployment/fail/${enc(id)}`, { DeploymentID: id });
  }

  /** `pause` true pauses a running deployment, false resumes a paused one (Nomad's `/v1/deployment/pause/:id`). */
  pauseDeployment(id: string, pause: boolean): Promise<DeploymentUpdateResponse> {
    return this.write('POST', `/v1/deployment/pause/${enc(id)}`, { DeploymentID: id, Pause: pause });
  }

  jobDeployments(id: string, opts: QueryOptions = {}): Promise<QueryResult<Deployment[]>> {
    return this.query(`/v1/job/${enc(id)}/deployments`, opts);
  }

  /** The job's latest deployment; data is null when it has none. */
  latestJobDeployment(id: string, opts: QueryOptions = {}): Promise<QueryResult<Deployment | null>> {
    return this.query(`/v1/job/${enc(id)}/deployment`, opts);
  }

  // ---- allocations

  listAllocations(opts: QueryOptions & { prefix?: string } = {}): Promise<QueryResult<AllocListStub[]>> {
    return this.query('/v1/allocations', opts, { prefix: opts.prefix });
  }

  readAllocation(id: string, opts: QueryOptions = {}): Promise<QueryResult<Allocation>> {
    return this.query(`/v1/allocation/${enc(id)}`, opts);
  }

  stopAllocation(id: string): Promise<AllocStopResponse> {
    return this.write('POST', `/v1/allocation/${enc(id)}/stop`, {});
  }

  // ---- evaluations

  listEvaluations(opts: QueryOptions & { job?: string; status?: string; prefix?: string } = {}): Promise<QueryResult<Evaluation[]>> {
    return this.query('/v1/evaluations', opts, { job: opts.job, status: opts.status, prefix: opts.prefix });
  }

  readEvaluation(id: string, opts: QueryOptions = {}): Promise<QueryResult<Evaluation>> {
    return this.query(`/v1/evaluation/${enc(id)}`, opts);
  }

  evaluationAllocations(id: string, opts: QueryOptions = {}): Promise<QueryResult<AllocListStub[]>> {
    return this.query(`/v1/evaluation/${enc(id)}/allocations`, opts);
  }

  // ---- nodes

  listNodes(opts: QueryOptions & { prefix?: string } = {}): Promise<QueryResult<NodeListStub[]>> {
    return this.query('/v1/nodes', opts, { prefix: opts.prefix });
  }

  readNode(id: string, opts: QueryOptions = {}): Promise<QueryResult<Node>> {
    return this.query(`/v1/node/${enc(id)}`, opts);
  }

  nodeAllocations(nodeId: string, opts: QueryOptions = {}): Promise<QueryResult<Allocation[]>> {
    return this.query(`/v1/node/${enc(nodeId)}/allocations`, opts);
  }

  registerNode(node: Node): Promise<NodeRegisterResponse> {
    return this.write('POST', '/v1/node/register', { Node: node }, {}, IDEMPOTENT);
  }

  heartbeat(nodeId: string, status: NodeStatus): Promise<{ HeartbeatTTL: Nanos }> {
    return this.write('POST', `/v1/node/${enc(nodeId)}/heartbeat`, { Status: status }, {}, IDEMPOTENT);
  }

  setNodeEligibility(nodeId: string, eligibility: SchedulingEligibility): Promise<{ Index: number }> {
    return this.write('POST', `/v1/node/${enc(nodeId)}/eligibility`, { Eligibility: eligibility });
  }

  /** Start (spec) or cancel (null) a node's drain; Deadline in ns, 0 = none, -1 = force. */
  drainNode(nodeId: string, spec: { Deadline: Nanos; IgnoreSystemJobs?: boolean } | null, markEligible = false): Promise<{ EvalIDs: string[]; NodeModifyIndex: number }> {
    return this.write('POST', `/v1/node/${enc(nodeId)}/drain`, { DrainSpec: spec, MarkEligible: markEligible });
  }

  /** Restart an allocation's running tasks (or one task) in place on its node. */
  async restartAllocation(allocId: string, task?: string): Promise<void> {
    await this.write('POST', `/v1/client/allocation/${enc(allocId)}/restart`, task ? { TaskName: task } : {});
  }

  async updateAllocations(updates: AllocClientUpdate[]): Promise<void> {
    // Each update carries the allocation's whole client state, so sending it twice is harmless.
    await this.write('POST', '/v1/client/allocations/update', { Allocs: updates }, {}, IDEMPOTENT);
  }

  // ---- agent and status

  async agentSelf(): Promise<AgentSelf> {
    return (await this.query<AgentSelf>('/v1/agent/self', {})).data;
  }

  async agentHealth(): Promise<AgentHealth> {
    return (await this.query<AgentHealth>('/v1/agent/health', {})).data;
  }

  async leader(): Promise<string> {
    return (await this.query<string>('/v1/status/leader', {})).data;
  }

  async peers(): Promise<string[]> {
    return (await this.query<string[]>('/v1/status/peers', {})).data;
  }

  // ---- ACL (docs/security.md)

  aclBootstrap(): Promise<AclToken> {
    return this.write('POST', '/v1/acl/bootstrap', {});
  }

  async aclTokenSelf(): Promise<AclToken> {
    return (await this.query<AclToken>('/v1/acl/token/self', {})).data;
  }

  async aclTokens(): Promise<AclToken[]> {
    return (await this.query<AclToken[]>('/v1/acl/tokens', {})).data;
  }

  aclCreateToken(spec: { Name?: string; Type?: 'client' | 'management'; Policies?: string[] }): Promise<AclToken> {
    return this.write('POST', '/v1/acl/token', spec);
  }

  aclDeleteToken(accessor: string): Promise<{ AccessorID: string }> {
    return this.write('DELETE', `/v1/acl/token/${enc(accessor)}`, undefined);
  }

  async aclPolicies(): Promise<Omit<AclPolicy, 'Rules'>[]> {
    return (await this.query<Omit<AclPolicy, 'Rules'>[]>('/v1/acl/policies', {})).data;
  }

  aclApplyPolicy(name: string, rules: string, description = ''): Promise<AclPolicy> {
    return this.write('POST', `/v1/acl/policy/${enc(name)}`, { Name: name, Description: description, Rules: rules });
  }

  aclDeletePolicy(name: string): Promise<{ Name: string }> {
    return this.write('DELETE', `/v1/acl/policy/${enc(name)}`, undefined);
  }

  // ---- logs

  /** The task's log bytes; with `follow`, keeps yielding until `signal` aborts or the stream ends. */
  async *streamLogs(allocId: string, opts: LogStreamOptions): AsyncGenerator<Buffer> {
    const { response } = await this.transport.send({
      method: 'GET',
      path: `/v1/client/fs/logs/${enc(allocId)}`,
      query: {
        ...this.nsQuery(),
        task: opts.task,
        type: opts.type ?? 'stdout',
        follow: opts.follow ? true : undefined,
        origin: opts.origin,
        offset: opts.offset,
        plain: opts.plain ? true : undefined,
      },
      signal: opts.signal,
      stream: true,
    });
    if (!response.body) return;
    const body = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
    try {
      yield* opts.plain ? plainChunks(body) : decodeLogFrames(body);
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    } finally {
      body.destroy();
    }
  }

  // ---- plumbing

  private nsQuery(): Record<string, QueryValue> {
    return this.namespace ? { namespace: this.namespace } : {};
  }

  private async query<T>(path: string, opts: QueryOptions, extra: Record<string, QueryValue> = {}): Promise<QueryResult<T>> {
    const blocking = opts.index !== undefined && opts.index > 0;
    const spec: RequestSpec = {
      method: 'GET',
      path,
      query: { ...this.nsQuery(), ...extra, index: blocking ? opts.index : undefined, wait: blocking && opts.waitMs ? formatWait(opts.waitMs) : undefined },
      signal: opts.signal,
      // The server may hold the request for the whole wait (default 5 min) plus jitter.
      extraTimeoutMs: blocking ? Math.ceil((opts.waitMs ?? 300_000) * (17 / 16)) : 0,
    };
    const raw = await this.transport.send(spec);
    return { data: parseJson<T>(raw.text ?? '', path), index: indexOf(raw.response) };
  }

  private async write<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body: unknown, extra: Record<string, QueryValue> = {}, opts: { idempotent?: boolean } = {}): Promise<T> {
    const raw = await this.transport.send({ method, path, body, query: { ...this.nsQuery(), ...extra }, ...opts });
    return parseJson<T>(raw.text ?? '', path);
  }
}

function indexOf(response: Response): number {
  const header = response.headers.get('x-kiln-index') ?? response.headers.get('x-nomad-index');
  const n = header === null ? NaN : Number(header);
  return Number.isFinite(n) ? n : 0;
}

function parseJson<T>(text: string, path: string): T {
  if (text.trim().length === 0) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new KilnError('INTERNAL', `server answered ${path} with invalid JSON: ${text.slice(0, 120)}`);
  }
}

/** `/v1/jobs/parse` answers a bare Job; accept `{Job, Warnings}` as well so parse warnings can travel. */
export function unwrapParsedJob(raw: unknown): ParsedJob {
  if (isRecord(raw) && isRecord(raw.Job)) {
    return { job: raw.Job as unknown as Job, warnings: toWarnings(raw.Warnings) };
  }
  if (isRecord(raw) && typeof raw.ID === 'string') {
    const { Warnings, ...job } = raw;
    return { job: job as unknown as Job, warnings: toWarnings(Warnings) };
  }
  throw new KilnError('INTERNAL', 'server answered /v1/jobs/parse without a job');
}

/** Warnings arrive as Nomad's newline-joined string or as a list. */
export function toWarnings(w: unknown): string[] {
  if (Array.isArray(w)) return w.map(String).filter((s) => s.trim().length > 0);
  if (typeof w === 'string') return w.split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
  return [];
}
