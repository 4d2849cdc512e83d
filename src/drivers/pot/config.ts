import { KilnError } from '../../structs/index.js';
import { checkConfig } from '../config-schema.js';
import { jailPort, POT_CONFIG_SCHEMA, potConfigSchema, splitBind, splitExtraHost } from './config-schema.js';

export { POT_CONFIG_KEYS, POT_CONFIG_SCHEMA } from './config-schema.js';

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

/**
 * Validate a pot `config` block with the driver's schema (the same check the
 * server runs at submit time) and turn it into the driver's form. Every problem at once.
 */
export function parsePotConfig(config: Record<string, unknown>): PotConfig {
  const problems = checkConfig(POT_CONFIG_SCHEMA, config);
  if (problems.length > 0) {
    const messages = problems.map((p) => p.message);
    throw new KilnError('DRIVER_ERROR', `pot config is invalid: ${messages.join('; ')}`, { details: { problems: messages } });
  }
  const c = potConfigSchema.parse(config);
  const binds = (list: string[] | undefined, readOnly: boolean): BindSpec[] => (list ?? []).map((m) => ({ ...splitBind(m)!, readOnly }));
  const portMap: Record<string, number> = {};
  for (const [label, port] of Object.entries(c.port_map ?? {})) {
    const n = jailPort(port);
    // Submit time lets `${…}` through; here it has been interpolated and must be a port.
    if (n === undefined) throw new KilnError('DRIVER_ERROR', `pot config is invalid: config.port_map.${label} must be a port number 1-65535 inside the jail; got ${JSON.stringify(port)}`);
    portMap[label] = n;
  }
  const attributes: Record<string, string> = {};
  for (const a of c.attributes ?? []) attributes[a.slice(0, a.indexOf(':'))] = a.slice(a.indexOf(':') + 1);
  return {
    image: c.image,
    pot: c.pot,
    tag: c.tag,
    ...(c.digest !== undefined ? { digest: c.digest.trim().toLowerCase().replace(/^sha256:/, '') } : {}),
    ...(c.command !== undefined ? { command: c.command } : {}),
    args: c.args ?? [],
    portMap,
    networkMode: c.network_mode === 'host' ? 'host' : 'public-bridge',
    mounts: [...binds(c.mount, false), ...binds(c.mount_read_only, true)],
    copies: binds(c.copy, false).map(({ host, jail }) => ({ host, jail })),
    extraHosts: (c.extra_hosts ?? []).map((h) => splitExtraHost(h)!),
    attributes,
  };
}
