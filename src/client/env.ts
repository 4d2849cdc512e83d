import type { Allocation, Job, Node, Task, TaskGroup } from '../structs/index.js';
import { allocIndex, interpolateNode, nodeVariable } from '../structs/index.js';

/**
 * The task environment (NOMAD_* variables + the task's `env` block) and
 * interpolation of `${...}` in driver config.
 *
 * TODO(switch): the jobspec engineer's `taskEnvironment()` / `interpolateValue()`
 * in src/jobspec/interpolate.ts replace these two functions once they exist;
 * callers only use `buildTaskEnv` and `interpolateConfig`, so switching is a
 * one-line change in each.
 */
export interface TaskDirs {
  allocDir: string;
  taskDir: string;
  secretsDir: string;
}

export interface TaskEnvInput {
  job: Job;
  group: TaskGroup;
  task: Task;
  alloc: Allocation;
  node: Node;
  dirs: TaskDirs;
}

export function buildTaskEnv({ job, group, task, alloc, node, dirs }: TaskEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    NOMAD_ALLOC_DIR: dirs.allocDir,
    NOMAD_TASK_DIR: `${dirs.taskDir}/local`,
    NOMAD_SECRETS_DIR: dirs.secretsDir,
    NOMAD_ALLOC_ID: alloc.ID,
    NOMAD_SHORT_ALLOC_ID: alloc.ID.slice(0, 8),
    NOMAD_ALLOC_NAME: alloc.Name,
    NOMAD_ALLOC_INDEX: String(allocIndex(alloc.Name)),
    NOMAD_JOB_ID: job.ID,
    NOMAD_JOB_NAME: job.Name,
    NOMAD_GROUP_NAME: group.Name,
    NOMAD_TASK_NAME: task.Name,
    NOMAD_NAMESPACE: alloc.Namespace,
    NOMAD_REGION: job.Region,
    NOMAD_DC: node.Datacenter,
    NOMAD_CPU_LIMIT: String(task.Resources.CPU),
    NOMAD_MEMORY_LIMIT: String(task.Resources.MemoryMB),
  };
  for (const p of alloc.AllocatedResources?.Shared?.Ports ?? []) {
    const ip = p.HostIP || node.Address;
    const inside = p.To > 0 ? p.To : p.Value;
    env[`NOMAD_IP_${p.Label}`] = ip;
    env[`NOMAD_PORT_${p.Label}`] = String(inside);
    env[`NOMAD_HOST_PORT_${p.Label}`] = String(p.Value);
    env[`NOMAD_ADDR_${p.Label}`] = `${ip}:${p.Value}`;
    env[`NOMAD_HOST_ADDR_${p.Label}`] = `${ip}:${p.Value}`;
  }
  for (const [k, v] of Object.entries({ ...job.Meta, ...group.Meta, ...task.Meta })) env[`NOMAD_META_${k}`] = v;
  for (const [k, v] of Object.entries(task.Env ?? {})) env[k] = interpolateString(v, env, node);
  return env;
}

/** Replace `${NOMAD_*}`, `${env.X}`, `${node.*}`, `${attr.*}`, `${meta.*}`; unknown names stay as written. */
export function interpolateString(text: string, env: Record<string, string>, node: Node): string {
  const withEnv = text.replace(/\$\{([^}]+)\}/g, (whole, raw: string) => {
    const name = raw.trim();
    if (name.startsWith('env.')) return env[name.slice(4)] ?? whole;
    if (name in env) return env[name]!;
    return nodeVariable(node, name) ?? whole;
  });
  return interpolateNode(withEnv, node);
}

/** Interpolate every string inside a driver config (nested lists and maps included). */
export function interpolateConfig<T>(value: T, env: Record<string, string>, node: Node): T {
  if (typeof value === 'string') return interpolateString(value, env, node) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => interpolateConfig(v, env, node)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateConfig(v, env, node)])) as T;
  }
  return value;
}
