import { allocIndex, type Allocation } from '../structs/allocation.js';
import type { Job, Task, TaskGroup } from '../structs/job.js';
import type { Node } from '../structs/node.js';
import { nodeVariable } from '../structs/node-vars.js';
import { envSafe } from './decode-task.js';

/** Drivers whose tasks live in their own network namespace, where a port's `to` is the port inside. */
const ISOLATED_NETWORK_DRIVERS = new Set(['pot']);

export interface TaskEnvironmentInput {
  job: Job;
  group: TaskGroup;
  task: Task;
  alloc: Allocation;
  node: Node;
  /**
   * Paths as the task sees them: the allocation's shared directory, the task's
   * own directory (Nomad points NOMAD_TASK_DIR at the task's `local/`), and
   * optionally its secrets directory.
   */
  dirs?: { allocDir: string; taskDir: string; secretsDir?: string };
}

/**
 * The environment a task starts with: Nomad's runtime variables (each also
 * under a KILN_ prefix) and then the task's own `env`, interpolated, on top.
 */
export function taskEnvironment(input: TaskEnvironmentInput): Record<string, string> {
  const base: Record<string, string> = { ...runtimeVariables(input), ...portVariables(input) };
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    vars[`NOMAD_${key}`] = value;
    vars[`KILN_${key}`] = value;
  }
  for (const [key, value] of Object.entries(input.task.Env)) {
    vars[key] = String(interpolateValue(value, vars, input.node));
  }
  return vars;
}

function runtimeVariables({ job, group, task, alloc, node, dirs }: TaskEnvironmentInput): Record<string, string> {
  const vars: Record<string, string> = {
    ALLOC_ID: alloc.ID,
    SHORT_ALLOC_ID: alloc.ID.slice(0, 8),
    ALLOC_INDEX: String(allocIndex(alloc.Name)),
    ALLOC_NAME: alloc.Name,
    JOB_ID: job.ID,
    JOB_NAME: job.Name,
    GROUP_NAME: group.Name,
    TASK_NAME: task.Name,
    DC: node.Datacenter,
    REGION: job.Region,
    NAMESPACE: job.Namespace,
    CPU_LIMIT: String(task.Resources.CPU),
    MEMORY_LIMIT: String(task.Resources.MemoryMB),
  };
  if (dirs) {
    vars['ALLOC_DIR'] = dirs.allocDir;
    vars['TASK_DIR'] = dirs.taskDir;
    if (dirs.secretsDir !== undefined) vars['SECRETS_DIR'] = dirs.secretsDir;
  }
  // Later levels win, as in Nomad: job meta, then group, then task.
  for (const [key, value] of Object.entries({ ...job.Meta, ...group.Meta, ...task.Meta })) {
    vars[`META_${envSafe(key)}`] = value;
    vars[`META_${envSafe(key).toUpperCase()}`] = value;
  }
  return vars;
}

/**
 * Per port label: PORT is the port the task listens on (the `to` port inside
 * a pot jail or a bridge network when set, else the host port), HOST_PORT the
 * port on the node, IP/ADDR where to reach it from outside, ALLOC_PORT the port
 * inside the allocation's network.
 */
function portVariables({ group, task, alloc, node }: TaskEnvironmentInput): Record<string, string> {
  const isolated = ISOLATED_NETWORK_DRIVERS.has(task.Driver) || group.Networks[0]?.Mode === 'bridge';
  const vars: Record<string, string> = {};
  for (const port of alloc.AllocatedResources.Shared.Ports) {
    const label = envSafe(port.Label);
    const ip = port.HostIP || node.Address;
    const inside = port.To > 0 ? port.To : port.Value;
    vars[`PORT_${label}`] = String(isolated ? inside : port.Value);
    vars[`HOST_PORT_${label}`] = String(port.Value);
    vars[`IP_${label}`] = ip;
    vars[`HOST_IP_${label}`] = ip;
    vars[`ADDR_${label}`] = `${ip}:${port.Value}`;
    vars[`HOST_ADDR_${label}`] = `${ip}:${port.Value}`;
    vars[`ALLOC_PORT_${label}`] = String(isolated ? inside : port.Value);
  }
  return vars;
}

const TEMPLATE = /(\$?)\$\{([^}]+)\}/g;

/**
 * Replaces `${NAME}` (also `${env.NAME}` and `${env["NAME"]}`) from `vars`,
 * and node variables (`${node.unique.name}`, `${attr.*}`, `${meta.*}`, …) from
 * `node`, in every string inside `value`. Unknown names stay as written;
 * `$${…}` is HCL's escape and becomes a literal `${…}`.
 */
export function interpolateValue(value: unknown, vars: Record<string, string>, node: Node): unknown {
  if (typeof value === 'string') return interpolateString(value, vars, node);
  if (Array.isArray(value)) return value.map((v) => interpolateValue(v, vars, node));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateValue(v, vars, node)]));
  }
  return value;
}

function interpolateString(text: string, vars: Record<string, string>, node: Node): string {
  return text.replace(TEMPLATE, (whole, escape: string, expr: string) => {
    if (escape) return whole.slice(1);
    const name = expr.trim();
    const envName = /^env(?:\.([A-Za-z0-9_]+)|\[\s*"([^"]+)"\s*\])$/.exec(name);
    const key = envName ? (envName[1] ?? envName[2] ?? '') : name;
    return vars[key] ?? nodeVariable(node, name) ?? whole;
  });
}
