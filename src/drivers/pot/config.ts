import { KilnError } from '../../structs/index.js';

/** The pot driver's task config (nomad-pot-driver's keys, with their Linux meaning). */
export interface PotConfig {
  image: string;
  pot: string;
  tag: string;
  /** Pinned image sha256 (hex), from `digest = "sha256:…"`. */
  digest?: string;
  command?: string;
  args: string[];
  /** label → port inside the jail. */
  portMap: Record<string, number>;
  networkMode: PotNetworkMode;
  mounts: BindSpec[];
  copies: { host: string; jail: string }[];
  extraHosts: { name: string; ip: string }[];
  attributes: Record<string, string>;
}

export type PotNetworkMode = 'public-bridge' | 'host';

export interface BindSpec {
  host: string;
  jail: string;
  readOnly: boolean;
}

export const POT_CONFIG_KEYS = ['image', 'pot', 'tag', 'digest', 'command', 'args', 'port_map', 'network_mode', 'mount', 'mount_read_only', 'copy', 'extra_hosts', 'attributes'];

/** pot attributes that have a meaning on a runc jail; every other attribute is refused by name. */
const KNOWN_ATTRIBUTES = new Set(['persistent', 'prunable', 'no-rc-script', 'localhost-tunnel', 'no-etc-hosts', 'no-tmpfs', 'stop_timeout', 'exec_stop', 'node-access']);

const UNSUPPORTED_MODES: Record<string, string> = {
  inherit: 'use "host" (the same thing on Linux)',
  alias: 'a jail with an address on the node\'s own interface is not supported on Linux; use "public-bridge" with port_map',
  'private-bridge': 'private bridges are not supported; use "public-bridge"',
};

/** Validate a pot `config` block; every problem is reported at once. */
/** `digest = "sha256:<64 hex>"` (or the bare hex) pins the image; returns the lower-case hex. */
function parsePinnedDigest(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  const hex = value.trim().toLowerCase().replace(/^sha256:/, '');
  if (/^[0-9a-f]{64}$/.test(hex)) return hex;
  problems.push(`"digest" must be "sha256:" followed by 64 hex characters (as printed by kiln image ls or sha256sum), got "${value}"`);
  return undefined;
}

export function parsePotConfig(config: Record<string, unknown>): PotConfig {
  const problems: string[] = [];
  const str = (key: string, required: boolean): string | undefined => {
    const v = config[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      problems.push(`"${key}" ${required ? 'is required and ' : ''}must be a non-empty string`);
      return undefined;
    }
    return v;
  };
  const list = (key: string): string[] => {
    const v = config[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      problems.push(`"${key}" must be a list of strings`);
      return [];
    }
    return v as string[];
  };
  const image = str('image', true);
  const pot = str('pot', true);
  const tag = str('tag', true);
  const digest = parsePinnedDigest(str('digest', false), problems);
  const command = str('command', false);
  const args = list('args');
  if (args.length > 0 && command === undefined) problems.push('"command" can not be empty if "args" are provided (as in nomad-pot-driver)');
  const portMap = parsePortMap(config.port_map, problems);
  const networkMode = parseNetworkMode(config.network_mode, problems);
  if (networkMode === 'host' && Object.keys(portMap).length > 0) problems.push('"port_map" has no meaning with network_mode = "host": the task listens on the node\'s ports directly');
  const mounts = [...list('mount').map((m) => parseBind('mount', m, false, problems)), ...list('mount_read_only').map((m) => parseBind('mount_read_only', m, true, problems))].filter(
    (m): m is BindSpec => m !== undefined,
  );
  const copies = list('copy')
    .map((c) => parseBind('copy', c, false, problems))
    .filter((m): m is BindSpec => m !== undefined)
    .map(({ host, jail }) => ({ host, jail }));
  const extraHosts = list('extra_hosts').flatMap((h) => parseExtraHost(h, problems));
  const attributes = parseAttributes(list('attributes'), problems);
  const unknown = Object.keys(config).filter((k) => !POT_CONFIG_KEYS.includes(k));
  if (unknown.length > 0) problems.push(`unknown keys ${unknown.map((k) => `"${k}"`).join(', ')} (pot accepts ${POT_CONFIG_KEYS.join(', ')})`);
  if (problems.length > 0) throw new KilnError('DRIVER_ERROR', `pot config is invalid: ${problems.join('; ')}`, { details: { problems } });
  return { image: image!, pot: pot!, tag: tag!, ...(digest !== undefined ? { digest } : {}), ...(command !== undefined ? { command } : {}), args, portMap, networkMode, mounts, copies, extraHosts, attributes };
}

function parsePortMap(value: unknown, problems: string[]): Record<string, number> {
  if (value === undefined) return {};
  // HCL `port_map = { http = "80" }` and the block form `port_map { http = "80" }` (a list of maps) both arrive here.
  const maps = Array.isArray(value) ? value : [value];
  const out: Record<string, number> = {};
  for (const m of maps) {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      problems.push('"port_map" must map port labels to ports inside the jail, e.g. port_map = { http = "80" }');
      continue;
    }
    for (const [label, port] of Object.entries(m as Record<string, unknown>)) {
      const n = typeof port === 'number' ? port : typeof port === 'string' && /^\d+$/.test(port.trim()) ? Number(port) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > 65535) problems.push(`port_map "${label}" must be a port number 1-65535 inside the jail, got ${JSON.stringify(port)}`);
      else out[label] = n;
    }
  }
  return out;
}

function parseNetworkMode(value: unknown, problems: string[]): PotNetworkMode {
  if (value === undefined || value === 'public-bridge') return 'public-bridge';
  if (value === 'host') return 'host';
  const hint = typeof value === 'string' ? UNSUPPORTED_MODES[value] : undefined;
  problems.push(`network_mode ${JSON.stringify(value)} is not supported${hint ? `: ${hint}` : ' (use "public-bridge" or "host")'}`);
  return 'public-bridge';
}

function parseBind(key: string, value: string, readOnly: boolean, problems: string[]): BindSpec | undefined {
  // Split on the first ':' only, as pot's copy-in does.
  const i = value.indexOf(':');
  const host = i > 0 ? value.slice(0, i) : '';
  const jail = i > 0 ? value.slice(i + 1) : '';
  if (!host.startsWith('/') || !jail.startsWith('/')) {
    problems.push(`${key} entry ${JSON.stringify(value)} must be "<absolute host path>:<absolute path in the jail>"`);
    return undefined;
  }
  if (jail.split('/').includes('..')) {
    problems.push(`${key} entry ${JSON.stringify(value)}: the jail path may not contain ".."`);
    return undefined;
  }
  return { host, jail, readOnly };
}

function parseExtraHost(value: string, problems: string[]): { name: string; ip: string }[] {
  const i = value.lastIndexOf(':');
  const name = value.slice(0, i);
  const ip = value.slice(i + 1);
  if (i <= 0 || !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip) || /\s/.test(name)) {
    problems.push(`extra_hosts entry ${JSON.stringify(value)} must be "<hostname>:<IPv4 address>"`);
    return [];
  }
  return [{ name, ip }];
}

function parseAttributes(values: string[], problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf(':');
    const name = i > 0 ? v.slice(0, i) : v;
    if (i <= 0) problems.push(`attributes entry ${JSON.stringify(v)} must be "<attribute>:<value>"`);
    else if (!KNOWN_ATTRIBUTES.has(name)) {
      problems.push(`attribute "${name}" has no meaning on a Linux jail (known: ${[...KNOWN_ATTRIBUTES].join(', ')}); remove it`);
    } else out[name] = v.slice(i + 1);
  }
  return out;
}
