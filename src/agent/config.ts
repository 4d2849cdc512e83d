import { parse as parseHcl } from '@cdktf/hcl2json';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { KilnError } from '../structs/index.js';
import type { LogLevel } from './logger.js';

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
  server: { enabled: boolean };
  client: {
    enabled: boolean;
    servers: string[];
    nodeName?: string;
    nodeClass: string;
    meta: Record<string, string>;
    /** Catalog to register services in; the local catalog role when absent. */
    catalogAddress?: string;
    /** Image URL prefix → replacement (e.g. a public registry → the local one). */
    imageMirrors: Record<string, string>;
  };
  catalog: { enabled: boolean; httpPort: number; dnsPort: number; domain: string };
  ingress: { enabled: boolean; httpPort: number; dashboardPort: number; domain: string; catalogAddress?: string };
  registry: { enabled: boolean; port: number; pushToken?: string; demoImages: boolean };
  /** Dev mode: stops its tasks on shutdown (they are re-attached otherwise). */
  dev: boolean;
}

/** The public registry the article's job names; the dev stack serves it from the local registry. */
export const POTLUCK_URL = 'https://potluck.honeyguide.net/';

const port = z.number().int().min(0).max(65535);

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
    server: blockOf(z.object({ enabled: z.boolean().optional() }).strict()).optional(),
    client: blockOf(
      z
        .object({
          enabled: z.boolean().optional(),
          servers: z.array(z.string().min(1)).optional(),
          node_name: z.string().min(1).optional(),
          node_class: z.string().optional(),
          meta: blockOf(z.record(z.string(), z.string())).optional(),
          catalog_address: z.string().min(1).optional(),
          image_mirrors: blockOf(z.record(z.string(), z.string())).optional(),
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
          catalog_address: z.string().min(1).optional(),
        })
        .strict(),
    ).optional(),
    registry: blockOf(
      z.object({ enabled: z.boolean().optional(), port: port.optional(), push_token: z.string().min(1).optional(), demo_images: z.boolean().optional() }).strict(),
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
    server: { enabled: true },
    client: { enabled: true, servers: [], nodeClass: '', meta: {}, imageMirrors: {} },
    // -http-port 0 (tests) makes every listener ephemeral, so several stacks can run side by side.
    catalog: { enabled: true, httpPort: ephemeral ? 0 : 8500, dnsPort: ephemeral ? 0 : 8600, domain: 'consul' },
    ingress: { enabled: true, httpPort: ephemeral ? 0 : 8080, dashboardPort: ephemeral ? 0 : 9200, domain: 'minipot' },
    registry: { enabled: true, port: ephemeral ? 0 : 5000, demoImages: true },
    dev: true,
  };
}

/** Read `-config` (a file, or a directory of `*.hcl` / `*.json` files merged in name order). */
export async function loadConfigPath(path: string): Promise<AgentConfig> {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => f.endsWith('.hcl') || f.endsWith('.json'))
        .sort()
        .map((f) => join(path, f))
    : [path];
  if (files.length === 0) throw new KilnError('CONFIG_INVALID', `no .hcl or .json files in config directory ${path}`);
  let merged: AgentConfigFile = {};
  for (const f of files) merged = { ...merged, ...(await readConfigFile(f)) };
  return resolveConfig(merged);
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

export function resolveConfig(file: AgentConfigFile): AgentConfig {
  const serverEnabled = file.server?.enabled ?? false;
  const clientEnabled = file.client?.enabled ?? false;
  const enabled = (b?: { enabled?: boolean }) => b?.enabled ?? false;
  if (![file.server, file.client, file.catalog, file.ingress, file.registry].some(enabled)) {
    throw new KilnError('CONFIG_INVALID', 'agent config enables no role: set `enabled = true` in at least one of server {}, client {}, catalog {}, ingress {}, registry {}');
  }
  const httpPort = file.ports?.http ?? 4646;
  const bindAddr = file.bind_addr ?? '127.0.0.1';
  const servers = file.client?.servers ?? (serverEnabled ? [] : ['127.0.0.1:4646']);
  return {
    datacenter: file.datacenter ?? 'dc1',
    region: file.region ?? 'global',
    dataDir: file.data_dir ?? '/var/lib/kiln',
    bindAddr,
    advertiseAddr: file.advertise_addr ?? (bindAddr === '0.0.0.0' ? '127.0.0.1' : bindAddr),
    logLevel: (file.log_level?.toLowerCase() ?? 'info') as LogLevel,
    ports: { http: httpPort },
    server: { enabled: serverEnabled },
    client: {
      enabled: clientEnabled,
      servers,
      nodeName: file.client?.node_name,
      nodeClass: file.client?.node_class ?? '',
      meta: file.client?.meta ?? {},
      catalogAddress: file.client?.catalog_address,
      imageMirrors: file.client?.image_mirrors ?? {},
    },
    catalog: { enabled: enabled(file.catalog), httpPort: file.catalog?.http_port ?? 8500, dnsPort: file.catalog?.dns_port ?? 8600, domain: file.catalog?.domain ?? 'consul' },
    ingress: {
      enabled: enabled(file.ingress),
      httpPort: file.ingress?.http_port ?? 8080,
      dashboardPort: file.ingress?.dashboard_port ?? 9200,
      domain: file.ingress?.domain ?? 'minipot',
      catalogAddress: file.ingress?.catalog_address,
    },
    registry: { enabled: enabled(file.registry), port: file.registry?.port ?? 5000, pushToken: file.registry?.push_token, demoImages: file.registry?.demo_images ?? false },
    dev: false,
  };
}
