import { parse as parseHcl } from '@cdktf/hcl2json';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { KilnError } from '../structs/index.js';
import type { LogLevel } from './logger.js';
import type { TlsConfig } from '../tls/load.js';

/** Agent configuration after defaults: every field set. */
export interface AgentConfig {
  datacenter: string;
  region: string;
  dataDir: string;
  bindAddr: string;
  /** Address other agents and tasks' ports are reached on. */
  advertiseAddr: string;
  logLevel: LogLevel;
  ports: { http: number };
  server: {
    enabled: boolean;
    /** Unique per server in a cluster (default: the advertised address). */
    name?: string;
    /** Cluster mode: state in etcd, leader elected through it. Absent: embedded SQLite, always leader. */
    etcd?: { endpoints: string[]; prefix: string; leaseTtlSeconds: number; tls?: { caFile: string; certFile?: string; keyFile?: string } };
    /** Nomad's heartbeat_grace / min_heartbeat_ttl / failover_heartbeat_ttl in ms (server defaults: 10 s, 10 s, 5 min). */
    heartbeat?: { graceMs?: number; minTtlMs?: number; failoverTtlMs?: number };
  };
  client: {
    enabled: boolean;
    servers: string[];
    nodeName?: string;
    nodeClass: string;
    meta: Record<string, string>;
    /** Catalog to register services in; the local catalog role when absent. */
    catalogAddress?: string;
    /** Every catalog address given (`catalog_address = ["a:8500", "b:8500"]`): registrations fail over between them. */
    catalogAddresses?: string[];
    /** On SIGTERM, drain the node (its allocations move to other nodes) before stopping; default false: tasks keep running. */
    drainOnShutdown?: boolean;
    /** Image URL prefix → replacement (e.g. a public registry → the local one). */
    imageMirrors: Record<string, string>;
    /** ed25519 public keys (PEM or base64) images may be signed with; with requireSignature, unsigned or badly signed images are refused. */
    imageTrust: { trustedKeys: string[]; requireSignature: boolean };
    /** The pot driver's jail network and cgroup parent (defaults: bridge kiln0, 10.192.0.0/10, chains KILN-*, cgroup /kiln). */
    jails: { bridge?: string; subnet?: string; chainPrefix?: string; cgroupParent?: string };
  };
  catalog: { enabled: boolean; httpPort: number; dnsPort: number; domain: string };
  ingress: {
    enabled: boolean;
    httpPort: number;
    dashboardPort: number;
    domain: string;
    catalogAddress?: string;
    /** Every catalog address given (`catalog_address = ["a:8500", "b:8500"]`): the catalog watch fails over between them. */
    catalogAddresses?: string[];
    engine?: 'builtin' | 'haproxy';
    /** TLS termination for routed services: an `https` entry point on httpsPort with these certificates (SNI picks, the first is the default). */
    tls?: { httpsPort: number; certificates: { certFile: string; keyFile: string }[] };
  };
  registry: { enabled: boolean; port: number; pushToken?: string; demoImages: boolean };
  /** Dev mode: stops its tasks on shutdown (they are re-attached otherwise). */
  dev: boolean;
  /** ACLs (docs/security.md): on everywhere except `agent -dev` on loopback; absent means that default. agentToken: the secret this agent's roles send to other agents. */
  acl?: { enabled: boolean; agentToken?: string };
  /** TLS for every listener and agent-to-agent call (docs/security.md "Transport (TLS)"); absent = plain HTTP. */
  tls?: TlsConfig;
}

/** The public registry the article's job names; the dev stack serves it from the local registry. */
export const POTLUCK_URL = 'https://potluck.honeyguide.net/';

const port = z.number().int().min(0).max(65535);

/**
 * The agent's heartbeat defaults: a dead client is noticed 4-7 s after its
 * last heartbeat (TTL 2-4 s plus 3 s grace), so its allocations run elsewhere
 * within 10 s. Heartbeats come from a thread of their own, so a busy client
 * still checks in; the grace covers a slow network or server.
 */
export const FAST_NODE_LOSS = { minTtlMs: 2_000, graceMs: 3_000 } as const;

const seconds = z.string().regex(/^\d+s$/, 'a whole number of seconds like "10s"');
const secondsToMs = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v.slice(0, -1)) * 1000);

const blockOf = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (Array.isArray(v) ? v[0] : v), schema);

/** The agent config file schema, in the HCL/JSON names users write. */
const FileSchema = z
  .object({
    datacenter: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    data_dir: z.string().min(1).optional(),
    bind_addr: z.string().min(1).optional(),
    advertise_addr: z.string().min(1).optional(),
    log_level: z.enum(['debug', 'info', 'warn', 'error', 'DEBUG', 'INFO', 'WARN', 'ERROR']).optional(),
    ports: blockOf(z.object({ http: z.number().int().min(0).max(65535).optional() }).strict()).optional(),
    server: blockOf(
      z
        .object({
          enabled: z.boolean().optional(),
          name: z.string().min(1).optional(),
          heartbeat_grace: seconds.optional(),
          min_heartbeat_ttl: seconds.optional(),
          failover_heartbeat_ttl: seconds.optional(),
          etcd: blockOf(
            z
              .object({
                endpoints: z.array(z.string().min(1)).min(1),
                prefix: z.string().min(1).optional(),
                lease_ttl: z.string().regex(/^\d+s$/, 'a whole number of seconds like "5s"').optional(),
                tls: blockOf(z.object({ ca_file: z.string(), cert_file: z.string().optional(), key_file: z.string().optional() }).strict()).optional(),
              })
              .strict(),
          ).optional(),
        })
        .strict(),
    ).optional(),
    client: blockOf(
      z
        .object({
          enabled: z.boolean().optional(),
          servers: z.array(z.string().min(1)).optional(),
          node_name: z.string().min(1).optional(),
          node_class: z.string().optional(),
          meta: blockOf(z.record(z.string(), z.string())).optional(),
          catalog_address: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
          drain_on_shutdown: z.boolean().optional(),
          image_mirrors: blockOf(z.record(z.string(), z.string())).optional(),
          image_trusted_keys: z.array(z.string().min(1)).optional(),
          image_require_signature: z.boolean().optional(),
          jail_network: blockOf(
            z
              .object({ bridge: z.string().min(1).max(15).optional(), subnet: z.string().min(1).optional(), chain_prefix: z.string().min(1).optional(), cgroup_parent: z.string().min(1).optional() })
              .strict(),
          ).optional(),
        })
        .strict(),
    ).optional(),
    catalog: blockOf(
      z.object({ enabled: z.boolean().optional(), http_port: port.optional(), dns_port: port.optional(), domain: z.string().min(1).optional() }).strict(),
    ).optional(),
    ingress: blockOf(
      z
        .object({
          enabled: z.boolean().optional(),
          http_port: port.optional(),
          dashboard_port: port.optional(),
          domain: z.string().min(1).optional(),
          catalog_address: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
          engine: z.enum(['builtin', 'haproxy']).optional(),
          https_port: port.optional(),
          // One tls block per certificate: `tls { cert_file = "…" key_file = "…" }`.
          tls: z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(z.object({ cert_file: z.string().min(1), key_file: z.string().min(1) }).strict()).min(1)).optional(),
        })
        .strict(),
    ).optional(),
    registry: blockOf(
      z.object({ enabled: z.boolean().optional(), port: port.optional(), push_token: z.string().min(1).optional(), demo_images: z.boolean().optional() }).strict(),
    ).optional(),
    acl: blockOf(z.object({ enabled: z.boolean().optional(), agent_token: z.string().min(1).optional() }).strict()).optional(),
    tls: blockOf(
      z
        .object({
          ca_file: z.string().min(1),
          cert_file: z.string().min(1),
          key_file: z.string().min(1),
          verify_incoming: z.boolean().optional(),
          verify_server_hostname: z.boolean().optional(),
        })
        .strict(),
    ).optional(),
  })
  .strict();

export type AgentConfigFile = z.infer<typeof FileSchema>;

/** Defaults for `kiln agent -dev`: every role, datacenter `minipot`, persistent data dir. */
export function devConfig(overrides: { dataDir?: string; bindAddr?: string; httpPort?: number } = {}): AgentConfig {
  const ephemeral = overrides.httpPort === 0;
  return {
    datacenter: 'minipot',
    region: 'global',
    dataDir: overrides.dataDir ?? join(homedir(), '.kiln', 'dev'),
    bindAddr: overrides.bindAddr ?? '127.0.0.1',
    advertiseAddr: overrides.bindAddr && overrides.bindAddr !== '0.0.0.0' ? overrides.bindAddr : '127.0.0.1',
    logLevel: 'info',
    ports: { http: overrides.httpPort ?? 4646 },
    server: { enabled: true, heartbeat: { ...FAST_NODE_LOSS } },
    client: { enabled: true, servers: [], nodeClass: '', meta: {}, imageMirrors: {}, imageTrust: { trustedKeys: [], requireSignature: false }, jails: {} },
    // -http-port 0 (tests) makes every listener ephemeral, so several stacks can run side by side.
    catalog: { enabled: true, httpPort: ephemeral ? 0 : 8500, dnsPort: ephemeral ? 0 : 8600, domain: 'consul' },
    ingress: { enabled: true, httpPort: ephemeral ? 0 : 8080, dashboardPort: ephemeral ? 0 : 9200, domain: 'minipot' },
    registry: { enabled: true, port: ephemeral ? 0 : 5000, demoImages: true },
    dev: true,
  };
}

/** Read `-config` (a file, or a directory of `*.hcl` / `*.json` files merged in name order). */
export async function loadConfigPath(path: string, base?: AgentConfig): Promise<AgentConfig> {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => f.endsWith('.hcl') || f.endsWith('.json'))
        .sort()
        .map((f) => join(path, f))
    : [path];
  if (files.length === 0) throw new KilnError('CONFIG_INVALID', `no .hcl or .json files in config directory ${path}`);
  let merged: AgentConfigFile = {};
  for (const f of files) merged = { ...merged, ...(await readConfigFile(f)) };
  return resolveConfig(merged, base);
}

async function readConfigFile(file: string): Promise<AgentConfigFile> {
  const text = readFileSync(file, 'utf8');
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : await parseHcl(file, text);
  } catch (err) {
    throw new KilnError('CONFIG_INVALID', `cannot parse agent config ${file}: ${(err as Error).message.replace(/^parse config: /, '')}`, { cause: err });
  }
  const result = FileSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${file}: ${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new KilnError('CONFIG_INVALID', `invalid agent config:\n${problems.join('\n')}\nsee docs/operations.md for the supported settings`, {
      details: { problems: result.error.issues },
    });
  }
  return result.data;
}

/** Settings of a plain (non-dev) agent before its config file: no role enabled. */
export function defaultConfig(): AgentConfig {
  return {
    datacenter: 'dc1',
    region: 'global',
    dataDir: '/var/lib/kiln',
    bindAddr: '127.0.0.1',
    advertiseAddr: '127.0.0.1',
    logLevel: 'info',
    ports: { http: 4646 },
    server: { enabled: false, heartbeat: { ...FAST_NODE_LOSS } },
    client: { enabled: false, servers: [], nodeClass: '', meta: {}, imageMirrors: {}, imageTrust: { trustedKeys: [], requireSignature: false }, jails: {} },
    catalog: { enabled: false, httpPort: 8500, dnsPort: 8600, domain: 'consul' },
    ingress: { enabled: false, httpPort: 8080, dashboardPort: 9200, domain: 'minipot' },
    registry: { enabled: false, port: 5000, demoImages: false },
    dev: false,
  };
}

/**
 * Apply a config file over `base` (the plain defaults, or the dev stack's
 * with `kiln agent -dev -config extra.hcl`): every setting the file names wins.
 */
export function resolveConfig(file: AgentConfigFile, base: AgentConfig = defaultConfig()): AgentConfig {
  const on = (b: { enabled?: boolean } | undefined, current: boolean) => b?.enabled ?? current;
  const roles = {
    server: on(file.server, base.server.enabled),
    client: on(file.client, base.client.enabled),
    catalog: on(file.catalog, base.catalog.enabled),
    ingress: on(file.ingress, base.ingress.enabled),
    registry: on(file.registry, base.registry.enabled),
  };
  if (!Object.values(roles).some(Boolean)) {
    throw new KilnError('CONFIG_INVALID', 'agent config enables no role: set `enabled = true` in at least one of server {}, client {}, catalog {}, ingress {}, registry {}');
  }
  const bindAddr = file.bind_addr ?? base.bindAddr;
  const c = file.client;
  return {
    datacenter: file.datacenter ?? base.datacenter,
    region: file.region ?? base.region,
    dataDir: file.data_dir ?? base.dataDir,
    bindAddr,
    advertiseAddr: file.advertise_addr ?? (file.bind_addr ? (bindAddr === '0.0.0.0' ? '127.0.0.1' : bindAddr) : base.advertiseAddr),
    logLevel: (file.log_level?.toLowerCase() ?? base.logLevel) as LogLevel,
    ports: { http: file.ports?.http ?? base.ports.http },
    server: {
      enabled: roles.server,
      name: file.server?.name ?? base.server.name,
      heartbeat: {
        ...base.server.heartbeat,
        ...(file.server?.heartbeat_grace ? { graceMs: secondsToMs(file.server.heartbeat_grace) } : {}),
        ...(file.server?.min_heartbeat_ttl ? { minTtlMs: secondsToMs(file.server.min_heartbeat_ttl) } : {}),
        ...(file.server?.failover_heartbeat_ttl ? { failoverTtlMs: secondsToMs(file.server.failover_heartbeat_ttl) } : {}),
      },
      etcd: file.server?.etcd
        ? {
            endpoints: file.server.etcd.endpoints,
            prefix: file.server.etcd.prefix ?? '/kiln',
            // 4 s: a dead leader is replaced within ~4.5 s (lease expiry + a 250 ms poll), under the 5 s the brief asks.
            leaseTtlSeconds: Number((file.server.etcd.lease_ttl ?? '4s').slice(0, -1)),
            ...(file.server.etcd.tls ? { tls: { caFile: file.server.etcd.tls.ca_file, certFile: file.server.etcd.tls.cert_file, keyFile: file.server.etcd.tls.key_file } } : {}),
          }
        : base.server.etcd,
    },
    client: {
      enabled: roles.client,
      servers: c?.servers ?? (roles.server || base.client.servers.length > 0 ? base.client.servers : ['127.0.0.1:4646']),
      nodeName: c?.node_name ?? base.client.nodeName,
      nodeClass: c?.node_class ?? base.client.nodeClass,
      meta: c?.meta ?? base.client.meta,
      catalogAddress: (Array.isArray(c?.catalog_address) ? c.catalog_address[0] : c?.catalog_address) ?? base.client.catalogAddress,
      catalogAddresses: c?.catalog_address === undefined ? base.client.catalogAddresses : [c.catalog_address].flat(),
      drainOnShutdown: c?.drain_on_shutdown ?? base.client.drainOnShutdown,
      imageMirrors: c?.image_mirrors ?? base.client.imageMirrors,
      imageTrust: {
        trustedKeys: c?.image_trusted_keys ?? base.client.imageTrust.trustedKeys,
        requireSignature: c?.image_require_signature ?? base.client.imageTrust.requireSignature,
      },
      jails: {
        ...base.client.jails,
        ...(c?.jail_network?.bridge ? { bridge: c.jail_network.bridge } : {}),
        ...(c?.jail_network?.subnet ? { subnet: c.jail_network.subnet } : {}),
        ...(c?.jail_network?.chain_prefix ? { chainPrefix: c.jail_network.chain_prefix } : {}),
        ...(c?.jail_network?.cgroup_parent ? { cgroupParent: c.jail_network.cgroup_parent } : {}),
      },
    },
    catalog: {
      enabled: roles.catalog,
      httpPort: file.catalog?.http_port ?? base.catalog.httpPort,
      dnsPort: file.catalog?.dns_port ?? base.catalog.dnsPort,
      domain: file.catalog?.domain ?? base.catalog.domain,
    },
    ingress: {
      enabled: roles.ingress,
      httpPort: file.ingress?.http_port ?? base.ingress.httpPort,
      dashboardPort: file.ingress?.dashboard_port ?? base.ingress.dashboardPort,
      domain: file.ingress?.domain ?? base.ingress.domain,
      catalogAddress: [file.ingress?.catalog_address ?? []].flat()[0] ?? base.ingress.catalogAddress,
      catalogAddresses: file.ingress?.catalog_address === undefined ? base.ingress.catalogAddresses : [file.ingress.catalog_address].flat(),
      ...(file.ingress?.engine ? { engine: file.ingress.engine } : base.ingress.engine ? { engine: base.ingress.engine } : {}),
      ...ingressTlsOf(file.ingress, base.ingress),
    },
    registry: {
      enabled: roles.registry,
      port: file.registry?.port ?? base.registry.port,
      pushToken: file.registry?.push_token ?? base.registry.pushToken,
      demoImages: file.registry?.demo_images ?? base.registry.demoImages,
    },
    dev: base.dev,
    ...tlsOf(file.tls, base.tls),
    ...(file.acl || base.acl ? { acl: { enabled: file.acl?.enabled ?? base.acl?.enabled ?? defaultAclEnabled(base.dev, bindAddr), agentToken: file.acl?.agent_token ?? base.acl?.agentToken } } : {}),
  };
}

/** Secure by default: only a dev agent that nobody else can reach runs without ACLs. */
export function defaultAclEnabled(dev: boolean, bindAddr: string): boolean {
  return !(dev && /^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(bindAddr));
}

/** The ingress's TLS entry point: https_port (8443; ephemeral when the base's ports are) and one certificate per tls block. */
function ingressTlsOf(i: AgentConfigFile['ingress'], base: AgentConfig['ingress']): { tls?: NonNullable<AgentConfig['ingress']['tls']> } {
  if (!i?.tls) return base.tls ? { tls: base.tls } : {};
  const certificates = i.tls.map((t) => ({ certFile: t.cert_file, keyFile: t.key_file }));
  return { tls: { httpsPort: i.https_port ?? (base.httpPort === 0 ? 0 : 8443), certificates } };
}

/** The tls block; verify_incoming and verify_server_hostname default to on (Nomad's default is off: kiln is secure by default). */
function tlsOf(t: AgentConfigFile['tls'], base: TlsConfig | undefined): { tls?: TlsConfig } {
  if (!t) return base ? { tls: base } : {};
  return { tls: { caFile: t.ca_file, certFile: t.cert_file, keyFile: t.key_file, verifyIncoming: t.verify_incoming ?? true, verifyServerHostname: t.verify_server_hostname ?? true } };
}

/** Whether this config runs with ACLs (an `acl` block wins; otherwise the default above). */
export const aclEnabled = (c: AgentConfig): boolean => c.acl?.enabled ?? defaultAclEnabled(c.dev, c.bindAddr);
