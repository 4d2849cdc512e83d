import type { Path } from './locate.js';
import type { Body } from './reader.js';

/**
 * Translates Nomad's API JSON (PascalCase, durations in nanoseconds) into the
 * body shape hcl2json produces for the same job, so JSON and HCL share one
 * decoder, one set of defaults and one set of checks. `where` records, for
 * every translated path, the API field it came from (for messages).
 */
type Kind = 'value' | 'duration' | 'block' | 'blocks' | 'constraints' | 'networks' | 'groups' | 'tasks';
type Field = readonly [api: string, hcl: string, kind: Kind, table?: Table];
type Table = readonly Field[];

const CHECK_RESTART: Table = [['Limit', 'limit', 'value'], ['Grace', 'grace', 'duration'], ['IgnoreWarnings', 'ignore_warnings', 'value']];
const CHECK: Table = [
  ['Name', 'name', 'value'], ['Type', 'type', 'value'], ['Interval', 'interval', 'duration'], ['Timeout', 'timeout', 'duration'],
  ['Path', 'path', 'value'], ['Method', 'method', 'value'], ['Protocol', 'protocol', 'value'], ['PortLabel', 'port', 'value'],
  ['Command', 'command', 'value'], ['Args', 'args', 'value'], ['Header', 'header', 'value'],
  ['SuccessBeforePassing', 'success_before_passing', 'value'], ['FailuresBeforeCritical', 'failures_before_critical', 'value'],
  ['CheckRestart', 'check_restart', 'block', CHECK_RESTART],
];
const SERVICE: Table = [
  ['Name', 'name', 'value'], ['PortLabel', 'port', 'value'], ['Tags', 'tags', 'value'], ['CanaryTags', 'canary_tags', 'value'],
  ['Meta', 'meta', 'value'], ['Provider', 'provider', 'value'], ['AddressMode', 'address_mode', 'value'],
  ['Checks', 'check', 'blocks', CHECK],
];
const TASK: Table = [
  ['Driver', 'driver', 'value'], ['Config', 'config', 'value'], ['Env', 'env', 'value'], ['Meta', 'meta', 'value'],
  ['Services', 'service', 'blocks', SERVICE],
  ['Resources', 'resources', 'block', [['CPU', 'cpu', 'value'], ['MemoryMB', 'memory', 'value']]],
  ['KillTimeout', 'kill_timeout', 'duration'], ['KillSignal', 'kill_signal', 'value'],
  ['LogConfig', 'logs', 'block', [['MaxFiles', 'max_files', 'value'], ['MaxFileSizeMB', 'max_file_size', 'value']]],
  ['Constraints', 'constraint', 'constraints'], ['DispatchPayload', 'dispatch_payload', 'block', [['File', 'file', 'value']]],
  ['ShutdownDelay', 'shutdown_delay', 'duration'],
];
const UPDATE: Table = [
  ['MaxParallel', 'max_parallel', 'value'], ['HealthCheck', 'health_check', 'value'], ['MinHealthyTime', 'min_healthy_time', 'duration'],
  ['HealthyDeadline', 'healthy_deadline', 'duration'], ['ProgressDeadline', 'progress_deadline', 'duration'], ['AutoRevert', 'auto_revert', 'value'],
  ['AutoPromote', 'auto_promote', 'value'], ['Canary', 'canary', 'value'], ['Stagger', 'stagger', 'duration'],
];
const MIGRATE: Table = [
  ['MaxParallel', 'max_parallel', 'value'], ['HealthCheck', 'health_check', 'value'], ['MinHealthyTime', 'min_healthy_time', 'duration'],
  ['HealthyDeadline', 'healthy_deadline', 'duration'],
];
const GROUP: Table = [
  ['Update', 'update', 'block', UPDATE], ['Migrate', 'migrate', 'block', MIGRATE],
  ['Count', 'count', 'value'], ['Meta', 'meta', 'value'], ['Networks', 'network', 'networks'],
  ['Services', 'service', 'blocks', SERVICE], ['Tasks', 'task', 'tasks', TASK], ['Constraints', 'constraint', 'constraints'],
  ['ShutdownDelay', 'shutdown_delay', 'duration'],
  ['RestartPolicy', 'restart', 'block', [['Attempts', 'attempts', 'value'], ['Interval', 'interval', 'duration'], ['Delay', 'delay', 'duration'], ['Mode', 'mode', 'value']]],
  ['ReschedulePolicy', 'reschedule', 'block', [
    ['Attempts', 'attempts', 'value'], ['Interval', 'interval', 'duration'], ['Delay', 'delay', 'duration'],
    ['DelayFunction', 'delay_function', 'value'], ['MaxDelay', 'max_delay', 'duration'], ['Unlimited', 'unlimited', 'value'],
  ]],
];
const JOB: Table = [
  ['Name', 'name', 'value'], ['Datacenters', 'datacenters', 'value'], ['Type', 'type', 'value'], ['Priority', 'priority', 'value'],
  ['Region', 'region', 'value'], ['Namespace', 'namespace', 'value'], ['Meta', 'meta', 'value'],
  ['Constraints', 'constraint', 'constraints'], ['Update', 'update', 'block', UPDATE], ['TaskGroups', 'group', 'groups', GROUP],
  ['Periodic', 'periodic', 'block', [
    ['Enabled', 'enabled', 'value'], ['Spec', 'cron', 'value'], ['Specs', 'crons', 'value'], ['SpecType', 'spec_type', 'value'],
    ['ProhibitOverlap', 'prohibit_overlap', 'value'], ['TimeZone', 'time_zone', 'value'],
  ]],
  ['ParameterizedJob', 'parameterized', 'block', [['Payload', 'payload', 'value'], ['MetaRequired', 'meta_required', 'value'], ['MetaOptional', 'meta_optional', 'value']]],
];
/** Fields the server owns or that describe a stored job; a submitted job may carry them (from `job inspect`). */
const SERVER_OWNED = new Set([
  'ID', 'Stop', 'Status', 'StatusDescription', 'Version', 'SubmitTime', 'CreateIndex', 'ModifyIndex', 'JobModifyIndex',
  'Stable', 'ParentID', 'Dispatched', 'Payload', 'Name',
]);

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (v: unknown): boolean =>
  v === null || v === undefined || v === '' || v === 0 || v === false ||
  (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);

export class ApiJobTranslator {
  readonly where = new Map<string, string>();
  readonly ignored: string[] = [];

  translate(apiJob: Body): Body {
    const id = typeof apiJob['ID'] === 'string' && apiJob['ID'] !== '' ? apiJob['ID'] : String(apiJob['Name'] ?? '');
    const path: Path = ['job', id];
    this.note(path, 'Job');
    return { job: { [id]: [this.object(apiJob, JOB, path, 'Job')] } };
  }

  private note(path: Path, api: string): void {
    this.where.set(pathKey(path), api);
  }

  private object(src: Body, table: Table, path: Path, api: string): Body {
    const out: Body = {};
    const known = new Set(table.map((f) => f[0]));
    for (const [key, value] of Object.entries(src)) {
      if (!known.has(key) && !isEmpty(value) && !(api === 'Job' && SERVER_OWNED.has(key))) this.ignored.push(`${api}.${key}`);
    }
    for (const [apiKey, hclKey, kind, sub] of table) {
      const value = src[apiKey];
      if (value === null || value === undefined) continue;
      const at = [...path, hclKey];
      const apiAt = `${api}.${apiKey}`;
      this.note(at, apiAt);
      out[hclKey] = this.field(value, kind, sub ?? [], at, apiAt);
    }
    return out;
  }

  private field(value: unknown, kind: Kind, table: Table, path: Path, api: string): unknown {
    switch (kind) {
      case 'value':
        return value;
      case 'duration':
        return typeof value === 'number' ? `${value}ns` : value;
      case 'block':
        return isObject(value) ? [this.object(value, table, [...path, 0], api)] : value;
      case 'blocks':
        return this.list(value, path, api, (item, at, apiAt) => this.object(item, table, at, apiAt));
      case 'constraints':
        return this.list(value, path, api, (c) => ({ attribute: c['LTarget'] ?? '', operator: c['Operand'] ?? '=', value: c['RTarget'] ?? '' }));
      case 'networks':
        return this.list(value, path, api, (n, at, apiAt) => this.network(n, at, apiAt));
      case 'groups':
      case 'tasks':
        return this.named(value, table, path, api);
    }
  }

  private list(value: unknown, path: Path, api: string, each: (item: Body, at: Path, apiAt: string) => Body): unknown {
    if (!Array.isArray(value)) return value;
    return value.map((item, i) => {
      const at = [...path, i];
      this.note(at, `${api}[${i}]`);
      return isObject(item) ? each(item, at, `${api}[${i}]`) : item;
    });
  }

  /** TaskGroups and Tasks are lists of objects with a Name; HCL has them as labeled blocks. */
  private named(value: unknown, table: Table, path: Path, api: string): unknown {
    if (!Array.isArray(value)) return value;
    const out: Record<string, Body[]> = {};
    value.forEach((item, i) => {
      if (!isObject(item)) return;
      const name = String(item['Name'] ?? '');
      const at = [...path, name];
      this.note(at, `${api}[${i}]`);
      const { Name: _name, ...rest } = item;
      (out[name] ??= []).push(this.object(rest, table, at, `${api}[${i}]`));
    });
    return out;
  }

  private network(n: Body, path: Path, api: string): Body {
    const ports: Record<string, Body[]> = {};
    const add = (list: unknown, kind: 'ReservedPorts' | 'DynamicPorts'): void => {
      if (!Array.isArray(list)) return;
      list.forEach((p: unknown, i) => {
        if (!isObject(p)) return;
        const label = String(p['Label'] ?? '');
        this.note([...path, 'port', label], `${api}.${kind}[${i}]`);
        const port: Body = {};
        if (kind === 'ReservedPorts') port['static'] = p['Value'];
        if (p['To'] !== undefined && p['To'] !== 0) port['to'] = p['To'];
        if (typeof p['HostNetwork'] === 'string' && p['HostNetwork'] !== 'default') port['host_network'] = p['HostNetwork'];
        (ports[label] ??= []).push(port);
      });
    };
    add(n['ReservedPorts'], 'ReservedPorts');
    add(n['DynamicPorts'], 'DynamicPorts');
    const out: Body = { port: ports };
    if (typeof n['Mode'] === 'string' && n['Mode'] !== '') out['mode'] = n['Mode'];
    return out;
  }
}

export const pathKey = (path: Path): string => path.map(String).join('\u0000');
