import { checkDriverConfig, driverConfigSchema } from '../drivers/config-schemas.js';
import type { JobType, LogConfig, Resources, Task, UpdateStrategy } from '../structs/job.js';
import { decodeConstraints } from './decode-constraint.js';
import { dispatchPayloadField } from './decode-parameterized.js';
import { decodeService, undeclaredPortMessage } from './decode-service.js';
import {
  DEFAULT_CPU_MHZ, DEFAULT_KILL_SIGNAL, DEFAULT_KILL_TIMEOUT, DEFAULT_LOG_MAX_FILES, DEFAULT_LOG_MAX_FILE_SIZE_MB,
  DEFAULT_MEMORY_MB, MIN_CPU_MHZ, MIN_MEMORY_MB,
} from './defaults.js';
import type { Path } from './locate.js';
import type { ProblemList } from './problems.js';
import { BodyReader, type Body, type LabeledBlockRef } from './reader.js';

export interface DecodeContext {
  problems: ProblemList;
  knownDrivers: readonly string[];
  jobName: string;
  jobType: JobType;
  /** The job-level `update` block, which group blocks start from. */
  jobUpdate?: UpdateStrategy;
}

export interface GroupContext extends DecodeContext {
  groupName: string;
  portLabels: readonly string[];
}

const TASK_KEYS = ['driver', 'config', 'env', 'service', 'resources', 'kill_timeout', 'kill_signal', 'logs', 'meta', 'constraint', 'dispatch_payload', 'shutdown_delay'];
const RESOURCE_KEYS = ['cpu', 'memory'];
const LOG_KEYS = ['max_files', 'max_file_size'];
/** `${NOMAD_PORT_http}` and friends name a port label; the label must exist. */
const PORT_VARIABLE = /\$\{\s*(?:env\.)?(?:NOMAD|KILN)_(?:HOST_PORT|ALLOC_PORT|PORT|ADDR|IP)_([A-Za-z0-9_]+)\s*\}/g;

export function decodeTask(ref: LabeledBlockRef, ctx: GroupContext): Task {
  const r = new BodyReader(ref.body, ref.path, ctx.problems, `task "${ref.label}"`, TASK_KEYS);
  const driver = decodeDriver(r, ctx);
  const config = r.mapValue('config');
  const env = r.stringMap('env');
  checkConfigPorts(r, driver, config, ctx);
  checkConfigSchema(r, driver, config, ref.label, ctx);
  checkPortVariables(r.at('config'), config, ctx);
  checkPortVariables(r.at('env'), env, ctx);
  const defaultName = `${ctx.jobName}-${ctx.groupName}-${ref.label}`;
  const services = r.blocks('service').map((s) =>
    decodeService(s, { problems: ctx.problems, defaultName, portLabels: ctx.portLabels, groupName: ctx.groupName }),
  );
  return {
    Name: ref.label,
    Driver: driver,
    Config: config,
    Env: env,
    Services: services,
    Resources: decodeResources(r),
    KillTimeout: r.duration('kill_timeout', DEFAULT_KILL_TIMEOUT),
    KillSignal: r.string('kill_signal', DEFAULT_KILL_SIGNAL),
    LogConfig: decodeLogs(r),
    Meta: r.stringMap('meta'),
    Constraints: decodeConstraints(r),
    ...dispatchPayloadField(r),
    ...(r.has('shutdown_delay') ? { ShutdownDelay: r.duration('shutdown_delay', 0) } : {}),
  };
}

function decodeDriver(r: BodyReader, ctx: GroupContext): string {
  const known = ctx.knownDrivers.join(', ');
  const driver = r.string('driver');
  if (driver === undefined) {
    r.problem(undefined, `${r.what} has no driver; add driver = "${ctx.knownDrivers[0] ?? 'raw_exec'}" (known drivers: ${known})`);
    return '';
  }
  if (!ctx.knownDrivers.includes(driver)) {
    r.problem('driver', `unknown driver "${driver}"; use one of: ${known}`);
  }
  return driver;
}

function decodeResources(task: BodyReader): Resources {
  const ref = task.block('resources');
  if (!ref) return { CPU: DEFAULT_CPU_MHZ, MemoryMB: DEFAULT_MEMORY_MB };
  const r = task.child(ref, 'resources', RESOURCE_KEYS);
  const cpu = r.integer('cpu', DEFAULT_CPU_MHZ);
  const memory = r.integer('memory', DEFAULT_MEMORY_MB);
  if (cpu < MIN_CPU_MHZ) r.problem('cpu', `cpu = ${cpu} MHz is too low; use at least ${MIN_CPU_MHZ} (default ${DEFAULT_CPU_MHZ})`);
  if (memory < MIN_MEMORY_MB) {
    r.problem('memory', `memory = ${memory} MB is too low; use at least ${MIN_MEMORY_MB} (default ${DEFAULT_MEMORY_MB})`);
  }
  return { CPU: cpu, MemoryMB: memory };
}

function decodeLogs(task: BodyReader): LogConfig {
  const ref = task.block('logs');
  if (!ref) return { MaxFiles: DEFAULT_LOG_MAX_FILES, MaxFileSizeMB: DEFAULT_LOG_MAX_FILE_SIZE_MB };
  const r = task.child(ref, 'logs', LOG_KEYS);
  const logs = { MaxFiles: r.integer('max_files', DEFAULT_LOG_MAX_FILES), MaxFileSizeMB: r.integer('max_file_size', DEFAULT_LOG_MAX_FILE_SIZE_MB) };
  if (logs.MaxFiles < 1) r.problem('max_files', `max_files = ${logs.MaxFiles}; keep at least 1 log file`);
  if (logs.MaxFileSizeMB < 1) r.problem('max_file_size', `max_file_size = ${logs.MaxFileSizeMB} MB; use at least 1`);
  return logs;
}

/** pot's `port_map` keys and a docker-style `ports` list name port labels of the group network. */
function checkConfigPorts(r: BodyReader, driver: string, config: Body, ctx: GroupContext): void {
  const configPath = r.at('config');
  const portMap = config['port_map'];
  if (portMap !== undefined) {
    const maps = Array.isArray(portMap) ? portMap : [portMap];
    for (const map of maps) {
      if (typeof map !== 'object' || map === null) {
        if (driverConfigSchema(driver)) continue; // the driver's schema reports it, with its own example
        ctx.problems.add([...configPath, 'port_map'], 'port_map must be a map of port label to port inside the task; write port_map = { http = "80" }');
        continue;
      }
      for (const label of Object.keys(map)) {
        if (!ctx.portLabels.includes(label)) {
          ctx.problems.add([...configPath, 'port_map', label], undeclaredPortMessage(label, `${driver} port_map`, ctx.groupName, ctx.portLabels));
        }
      }
    }
  }
  const ports = config['ports'];
  if (Array.isArray(ports)) {
    for (const label of ports) {
      if (typeof label === 'string' && !ctx.portLabels.includes(label)) {
        ctx.problems.add([...configPath, 'ports'], undeclaredPortMessage(label, `${driver} config ports`, ctx.groupName, ctx.portLabels));
      }
    }
  }
}

/**
 * A driver kiln ships checks its `config` with the driver's own schema, so a bad
 * block is refused at submit time, not when the task starts. Other drivers are
 * left to their nodes, as Nomad accepts any driver name at submit time.
 */
function checkConfigSchema(r: BodyReader, driver: string, config: Body, task: string, ctx: GroupContext): void {
  const problems = checkDriverConfig(driver, config);
  const where = `job "${ctx.jobName}" group "${ctx.groupName}" task "${task}"`;
  for (const p of problems ?? []) ctx.problems.add([...r.at('config'), ...p.path], `${where}: ${p.message}`);
}

/** Finds `${NOMAD_PORT_<label>}`-style references in strings anywhere in a value. */
function checkPortVariables(path: Path, value: unknown, ctx: GroupContext): void {
  const envLabels = ctx.portLabels.map(envSafe);
  if (typeof value === 'string') {
    for (const m of value.matchAll(PORT_VARIABLE)) {
      const label = m[1] ?? '';
      if (!envLabels.includes(label)) {
        ctx.problems.add(path, undeclaredPortMessage(label, `"${m[0]}"`, ctx.groupName, ctx.portLabels));
      }
    }
  } else if (Array.isArray(value)) {
    for (const item of value) checkPortVariables(path, item, ctx);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) checkPortVariables([...path, k], v, ctx);
  }
}

/** Nomad's rule for names inside environment variable names: anything but [A-Za-z0-9_] becomes "_". */
export function envSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}
