import type { JobType, NetworkResource, Port, ReschedulePolicy, RestartPolicy, TaskGroup } from '../structs/job.js';
import { decodeConstraints } from './decode-constraint.js';
import { decodeService } from './decode-service.js';
import { decodeTask, type DecodeContext } from './decode-task.js';
import { decodeMigrate } from './decode-migrate.js';
import { decodeUpdate } from './decode-update.js';
import {
  DEFAULT_COUNT, MAX_COUNT, MIN_RESCHEDULE_DELAY, defaultReschedulePolicy, defaultRestartPolicy,
} from './defaults.js';
import { formatGoDuration } from './duration.js';
import { BodyReader, type LabeledBlockRef } from './reader.js';

const GROUP_KEYS = ['update', 'migrate', 'count', 'network', 'restart', 'reschedule', 'meta', 'constraint', 'service', 'task', 'shutdown_delay'];
const NETWORK_KEYS = ['mode', 'port'];
const PORT_KEYS = ['static', 'to', 'host_network'];
const RESTART_KEYS = ['attempts', 'interval', 'delay', 'mode'];
const RESCHEDULE_KEYS = ['attempts', 'interval', 'delay', 'delay_function', 'max_delay', 'unlimited'];

export function decodeGroup(ref: LabeledBlockRef, ctx: DecodeContext): TaskGroup {
  const r = new BodyReader(ref.body, ref.path, ctx.problems, `group "${ref.label}"`, GROUP_KEYS);
  const count = r.integer('count', DEFAULT_COUNT);
  if (count < 0 || count > MAX_COUNT) {
    r.problem('count', `count is ${count}; a group runs 0 to ${MAX_COUNT} instances (0 keeps the group defined but stopped)`);
  }
  const networks = decodeNetworks(r);
  const portLabels = networks.flatMap((n) => [...n.ReservedPorts, ...n.DynamicPorts].map((p) => p.Label));
  const groupCtx = { ...ctx, groupName: ref.label, portLabels };
  const tasks = r.labeled('task', 'task').map((t) => decodeTask(t, groupCtx));
  if (tasks.length === 0 && !r.has('task')) {
    r.problem(undefined, `group "${ref.label}" has no task; add task "name" { driver = "raw_exec" … }`);
  }
  const services = r.blocks('service').map((s) =>
    decodeService(s, { problems: ctx.problems, defaultName: `${ctx.jobName}-${ref.label}`, portLabels, groupName: ref.label }),
  );
  const update = decodeUpdate(r, ctx.jobUpdate);
  const group: TaskGroup = {
    Name: ref.label,
    Count: count,
    Networks: networks,
    Tasks: tasks,
    Services: services,
    RestartPolicy: decodeRestart(r, ctx.jobType),
    ReschedulePolicy: decodeReschedule(r, ctx.jobType),
    Meta: r.stringMap('meta'),
    Constraints: decodeConstraints(r),
  };
  // Batch jobs run to completion: Nomad ignores their update strategy. System jobs use only
  // max_parallel and stagger (a rolling replacement, no deployment).
  if (update && (ctx.jobType === 'service' || ctx.jobType === 'system')) group.Update = update;
  const migrate = decodeMigrate(r);
  if (migrate) group.Migrate = migrate;
  if (r.has('shutdown_delay')) group.ShutdownDelay = r.duration('shutdown_delay', 0);
  return group;
}

function decodeNetworks(group: BodyReader): NetworkResource[] {
  const ref = group.block('network');
  if (!ref) return [];
  const r = group.child(ref, 'network', NETWORK_KEYS);
  const network: NetworkResource = { Mode: r.oneOf('mode', ['host', 'bridge'], 'host'), ReservedPorts: [], DynamicPorts: [] };
  const staticOwner = new Map<number, string>();
  for (const p of r.labeled('port', 'port')) {
    const pr = group.child(p, `port "${p.label}"`, PORT_KEYS);
    const port: Port = { Label: p.label, Value: pr.integer('static', 0), To: pr.integer('to', 0) };
    const hostNetwork = pr.string('host_network');
    if (hostNetwork !== undefined) port.HostNetwork = hostNetwork;
    if (port.To === -1) port.To = 0; // Nomad: -1 means "same as the host port"
    if (port.To < 0 || port.To > 65535) pr.problem('to', `port "${p.label}" to = ${port.To} is out of range; use 1 to 65535`);
    if (!pr.has('static')) {
      network.DynamicPorts.push(port);
      continue;
    }
    if (port.Value < 1 || port.Value > 65535) {
      pr.problem('static', `port "${p.label}" static = ${port.Value} is out of range; use 1 to 65535, or remove static for a dynamic port`);
    }
    const owner = staticOwner.get(port.Value);
    if (owner) pr.problem('static', `static port ${port.Value} is already used by port "${owner}"; give each port its own number`);
    staticOwner.set(port.Value, p.label);
    network.ReservedPorts.push(port);
  }
  return [network];
}

function decodeRestart(group: BodyReader, type: JobType): RestartPolicy {
  const policy = defaultRestartPolicy(type);
  const ref = group.block('restart');
  if (!ref) return policy;
  const r = group.child(ref, 'restart', RESTART_KEYS);
  policy.Attempts = r.integer('attempts', policy.Attempts);
  if (policy.Attempts < 0) r.problem('attempts', `restart attempts is ${policy.Attempts}; use 0 (never restart) or more`);
  policy.Interval = r.duration('interval', policy.Interval);
  policy.Delay = r.duration('delay', policy.Delay);
  policy.Mode = r.oneOf('mode', ['fail', 'delay'], policy.Mode);
  return policy;
}

function decodeReschedule(group: BodyReader, type: JobType): ReschedulePolicy {
  const policy = defaultReschedulePolicy(type);
  const ref = group.block('reschedule');
  if (!ref) return policy;
  const r = group.child(ref, 'reschedule', RESCHEDULE_KEYS);
  policy.Attempts = r.integer('attempts', policy.Attempts);
  if (policy.Attempts < 0) r.problem('attempts', `reschedule attempts is ${policy.Attempts}; use 0 or more`);
  policy.Interval = r.duration('interval', policy.Interval);
  policy.Delay = r.duration('delay', policy.Delay);
  policy.DelayFunction = r.oneOf('delay_function', ['constant', 'exponential', 'fibonacci'], policy.DelayFunction);
  policy.MaxDelay = r.duration('max_delay', policy.MaxDelay);
  policy.Unlimited = r.bool('unlimited', policy.Unlimited);
  if (policy.Delay < MIN_RESCHEDULE_DELAY) {
    r.problem('delay', `reschedule delay ${formatGoDuration(policy.Delay)} is too short; use at least ${formatGoDuration(MIN_RESCHEDULE_DELAY)}`);
  }
  if (policy.DelayFunction !== 'constant' && policy.MaxDelay < policy.Delay) {
    r.problem('max_delay', `max_delay ${formatGoDuration(policy.MaxDelay)} is below delay ${formatGoDuration(policy.Delay)}; raise max_delay or use delay_function = "constant"`);
  }
  if (!policy.Unlimited && policy.Attempts > 0 && policy.Interval === 0) {
    r.problem('interval', `reschedule with attempts = ${policy.Attempts} needs an interval to count them in; add interval = "1h"`);
  }
  return policy;
}
