import { z } from 'zod';
import { describeValue, expected, isInterpolated, type DriverConfigSchema } from '../config-schema.js';

/**
 * The pot driver's task `config` options (nomad-pot-driver's keys, with their
 * Linux meaning; docs/pot-driver.md has the table). The server checks submitted
 * jobs with this schema and the driver parses with it, so the two never differ.
 */

export const POT_CONFIG_KEYS = ['image', 'pot', 'tag', 'digest', 'command', 'args', 'port_map', 'network_mode', 'mount', 'mount_read_only', 'copy', 'extra_hosts', 'attributes'];

/** pot attributes that have a meaning on a runc jail; every other attribute is refused by name. */
export const KNOWN_ATTRIBUTES = ['persistent', 'prunable', 'no-rc-script', 'localhost-tunnel', 'no-etc-hosts', 'no-tmpfs', 'stop_timeout', 'exec_stop', 'node-access'];

const UNSUPPORTED_MODES: Record<string, string> = {
  inherit: 'use "host" (the same thing on Linux)',
  alias: 'a jail with an address on the node\'s own interface is not supported on Linux; use "public-bridge" with port_map',
  'private-bridge': 'private bridges are not supported; use "public-bridge"',
};

const DIGEST = /^(sha256:)?[0-9a-f]{64}$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** `"<host>:<jail>"`, split on the first ':' only as pot's copy-in does; undefined when either side is not absolute. */
export function splitBind(value: string): { host: string; jail: string } | undefined {
  const i = value.indexOf(':');
  const host = i > 0 ? value.slice(0, i) : '';
  const jail = i > 0 ? value.slice(i + 1) : '';
  return host.startsWith('/') && jail.startsWith('/') ? { host, jail } : undefined;
}

export function splitExtraHost(value: string): { name: string; ip: string } | undefined {
  const i = value.lastIndexOf(':');
  const name = value.slice(0, i);
  const ip = value.slice(i + 1);
  return i > 0 && IPV4.test(ip) && !/\s/.test(name) ? { name, ip } : undefined;
}

/** A jail port: a number or a numeric string 1-65535; a `${…}` string is checked after interpolation. */
export function jailPort(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

const text = (hint: string) => z.string(expected('a string', hint)).trim().min(1, `must not be empty (${hint})`);
const strings = (example: string) => z.array(z.string(expected('a string')), expected('a list of strings', `e.g. ${example}`));

function bindList(key: string, example: string) {
  return strings(example).superRefine((list, ctx) => {
    list.forEach((v, i) => {
      if (!splitBind(v)) ctx.addIssue({ code: 'custom', path: [i], message: `must be "<absolute host path>:<absolute path in the jail>", e.g. "${example}"; got ${describeValue(v)}` });
      else if (splitBind(v)!.jail.split('/').includes('..')) ctx.addIssue({ code: 'custom', path: [i], message: `${JSON.stringify(v)}: the jail path may not contain ".." (${key})` });
    });
  });
}

/** `port_map = { http = "80" }` and the block form `port_map { http = "80" }` (a list of maps) are one map. */
const portMap = z.preprocess(
  (v) => (Array.isArray(v) && v.every((m) => typeof m === 'object' && m !== null && !Array.isArray(m)) ? Object.assign({}, ...(v as object[])) : v),
  z.record(
    z.string(),
    z.unknown().refine((p) => isInterpolated(p) || jailPort(p) !== undefined, {
      error: (iss) => `must be a port number 1-65535 inside the jail, e.g. "80"; got ${describeValue(iss.input)}`,
    }),
    expected('a map of port label to port inside the jail', 'e.g. port_map = { http = "80" }'),
  ),
);

const networkMode = z.unknown().superRefine((v, ctx) => {
  if (v === 'public-bridge' || v === 'host') return;
  const hint = typeof v === 'string' ? UNSUPPORTED_MODES[v] : undefined;
  ctx.addIssue({ code: 'custom', message: `${describeValue(v)} is not supported: ${hint ?? 'use "public-bridge" (the default) or "host"'}` });
});

const attributes = strings('["no-tmpfs:YES"]').superRefine((list, ctx) => {
  list.forEach((v, i) => {
    const at = v.indexOf(':');
    const name = at > 0 ? v.slice(0, at) : v;
    if (at <= 0) ctx.addIssue({ code: 'custom', path: [i], message: `must be "<attribute>:<value>", e.g. "no-tmpfs:YES"; got ${describeValue(v)}` });
    else if (!KNOWN_ATTRIBUTES.includes(name)) {
      ctx.addIssue({ code: 'custom', path: [i], message: `names attribute "${name}", which has no meaning on a Linux jail (known: ${KNOWN_ATTRIBUTES.join(', ')}); remove it` });
    }
  });
});

/** Rules between options; they run even when a field has the wrong type, so every problem is listed at once. */
function crossChecks(v: Record<string, unknown>, ctx: z.RefinementCtx): void {
  if (v.args !== undefined && v.command === undefined) {
    ctx.addIssue({ code: 'custom', path: ['command'], message: 'is required when "args" is given (as in nomad-pot-driver): add command = "<program>"' });
  }
  if (v.network_mode === 'host' && v.port_map !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['port_map'], message: 'has no meaning with network_mode = "host": the task listens on the node\'s ports directly; remove port_map' });
  }
}

export const potConfigSchema = z
  .strictObject({
    image: text('an image URL such as "https://potluck.honeyguide.net/nginx-nomad", the registry path holding <pot>_<tag>.xz'),
    pot: text('the pot (image) name, e.g. "nginx-nomad-amd64-13_1"'),
    tag: text('the image tag, e.g. "1.1.13"'),
    digest: z
      .string(expected('a string "sha256:<64 hex>" as printed by kiln image ls'))
      .refine((d) => DIGEST.test(d.trim().toLowerCase()), {
        error: (iss) => `must be "sha256:" followed by 64 hex characters (as printed by kiln image ls or sha256sum); got ${describeValue(iss.input)}`,
      })
      .optional(),
    command: text('the program to run in the jail, e.g. "nginx"').optional(),
    args: strings(`["-g", "'daemon off;'"]`).optional(),
    port_map: portMap.optional(),
    network_mode: networkMode.optional(),
    mount: bindList('mount', '/srv/data:/data').optional(),
    mount_read_only: bindList('mount_read_only', '/etc/ssl:/etc/ssl').optional(),
    copy: bindList('copy', '/srv/site.conf:/usr/local/etc/site.conf').optional(),
    extra_hosts: strings('["db:10.0.0.5"]')
      .superRefine((list, ctx) => {
        list.forEach((v, i) => {
          if (!splitExtraHost(v)) ctx.addIssue({ code: 'custom', path: [i], message: `must be "<hostname>:<IPv4 address>", e.g. "db:10.0.0.5"; got ${describeValue(v)}` });
        });
      })
      .optional(),
    attributes: attributes.optional(),
  }, expected('a map of pot options', 'e.g. config { image = "…" pot = "…" tag = "…" }'))
  .superRefine((v, ctx) => crossChecks(v as Record<string, unknown>, ctx), { when: (p) => typeof p.value === 'object' && p.value !== null });

export type PotConfigInput = z.infer<typeof potConfigSchema>;

export const POT_CONFIG_SCHEMA: DriverConfigSchema = { driver: 'pot', schema: potConfigSchema, options: POT_CONFIG_KEYS };
