import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { POTLUCK_URL } from '../../../src/agent/config.js';
import type { ClusterNet } from './net.js';

export type Role = 'etcd' | 'server' | 'client' | 'ingress';

export interface HostSpec {
  name: string;
  role: Role;
  ip: string;
}

/** The production shape of the issue: 3 etcd members, 3 servers, 3 clients, 2 ingress nodes. */
export function layout(net: ClusterNet, counts = { etcd: 3, server: 3, client: 3, ingress: 2 }): HostSpec[] {
  const hosts: HostSpec[] = [];
  const add = (role: Role, letter: string, first: number, n: number): void => {
    for (let i = 1; i <= n; i++) hosts.push({ name: `${letter}${i}`, role, ip: `${net.base}.${first + i - 1}` });
  };
  add('etcd', 'e', 11, counts.etcd);
  add('server', 's', 21, counts.server);
  add('client', 'c', 31, counts.client);
  add('ingress', 'i', 41, counts.ingress);
  return hosts;
}

export const HTTP_PORT = 4646;
export const CATALOG_PORT = 8500;
export const INGRESS_PORT = 8080;
export const REGISTRY_PORT = 5000;
export const ETCD_PREFIX = '/kiln';

/** Settings that make failures show within seconds instead of Nomad's production defaults. */
export const TIMING = { leaseTtl: '3s', minHeartbeatTtl: '2s', heartbeatGrace: '3s', failoverHeartbeatTtl: '10s' };

const list = (xs: string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;

export function etcdArgs(all: HostSpec[], me: HostSpec, dataDir: string): string[] {
  const members = all.filter((h) => h.role === 'etcd');
  return [
    '/usr/bin/etcd',
    '--name', me.name,
    '--data-dir', join(dataDir, 'etcd'),
    '--listen-client-urls', `http://${me.ip}:2379`,
    '--advertise-client-urls', `http://${me.ip}:2379`,
    '--listen-peer-urls', `http://${me.ip}:2380`,
    '--initial-advertise-peer-urls', `http://${me.ip}:2380`,
    '--initial-cluster', members.map((m) => `${m.name}=http://${m.ip}:2380`).join(','),
    '--initial-cluster-state', 'new',
    '--initial-cluster-token', `kclu-${members[0]!.ip}`,
    // A plan is one transaction: a 1,000-allocation placement needs more than etcd's defaults.
    '--max-txn-ops', '20000',
    '--max-request-bytes', '33554432',
    '--auto-compaction-retention', '1h',
    '--log-level', 'warn',
  ];
}

export const etcdEndpoints = (all: HostSpec[]): string[] => all.filter((h) => h.role === 'etcd').map((h) => `http://${h.ip}:2379`);
export const serverAddresses = (all: HostSpec[]): string[] => all.filter((h) => h.role === 'server').map((h) => `${h.ip}:${HTTP_PORT}`);

/**
 * Settings every agent shares. ACLs are off: agents on a non-loopback address
 * enable them by default, and the scenarios test the cluster, not its tokens.
 */
function common(me: HostSpec, dataDir: string): string {
  return `datacenter = "minipot"\ndata_dir = "${dataDir}"\nbind_addr = "${me.ip}"\nadvertise_addr = "${me.ip}"\nlog_level = "info"\nports {\n  http = ${HTTP_PORT}\n}\nacl {\n  enabled = false\n}\n`;
}

/** Server hosts run the server and catalog roles against the etcd cluster. */
export function serverHcl(all: HostSpec[], me: HostSpec, dataDir: string): string {
  return `${common(me, dataDir)}server {
  enabled = true
  name = "${me.name}"
  min_heartbeat_ttl = "${TIMING.minHeartbeatTtl}"
  heartbeat_grace = "${TIMING.heartbeatGrace}"
  failover_heartbeat_ttl = "${TIMING.failoverHeartbeatTtl}"
  etcd {
    endpoints = ${list(etcdEndpoints(all))}
    prefix = "${ETCD_PREFIX}"
    lease_ttl = "${TIMING.leaseTtl}"
  }
}
catalog {
  enabled = true
  http_port = ${CATALOG_PORT}
  dns_port = 8600
}
`;
}

/** The catalog a client or ingress host follows: its "own" server's, spread round-robin. */
export function catalogFor(all: HostSpec[], me: HostSpec): string {
  const servers = all.filter((h) => h.role === 'server');
  const index = Number(me.name.slice(1)) - 1;
  return `http://${servers[index % servers.length]!.ip}:${CATALOG_PORT}`;
}

/** Every server's catalog, the host's own first: an ingress fails over along the list when its own dies. */
export function catalogsFor(all: HostSpec[], me: HostSpec): string[] {
  const own = catalogFor(all, me);
  const others = all.filter((h) => h.role === 'server').map((s) => `http://${s.ip}:${CATALOG_PORT}`).filter((u) => u !== own);
  return [own, ...others];
}

/** The first ingress host also runs the registry the clients fetch the article's image from. */
export const registryHost = (all: HostSpec[]): HostSpec | undefined => all.find((h) => h.role === 'ingress');

export function clientHcl(net: ClusterNet, all: HostSpec[], me: HostSpec, dataDir: string): string {
  const registry = registryHost(all);
  const mirrors = registry ? `  image_mirrors = { "${POTLUCK_URL}" = "http://${registry.ip}:${REGISTRY_PORT}/" }\n` : '';
  return `${common(me, dataDir)}client {
  enabled = true
  node_name = "${me.name}"
  servers = ${list(serverAddresses(all))}
  catalog_address = "${catalogFor(all, me)}"
${mirrors}  jail_network {
    bridge = "kcluj0"
    subnet = "10.251.${100 + Number(net.base.split('.')[2])}.0/24"
    chain_prefix = "KCLU"
    cgroup_parent = "/${net.prefix}-${me.name}"
  }
}
`;
}

export function ingressHcl(all: HostSpec[], me: HostSpec, dataDir: string): string {
  const registry = me === registryHost(all) ? `registry {\n  enabled = true\n  port = ${REGISTRY_PORT}\n  demo_images = true\n}\n` : '';
  return `${common(me, dataDir)}ingress {
  enabled = true
  http_port = ${INGRESS_PORT}
  dashboard_port = 9200
  catalog_address = ${list(catalogsFor(all, me))}
}
${registry}`;
}

/** The repository root (where package.json is), found from this compiled file wherever the build went. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (package.json) above the test files');
    dir = up;
  }
  return dir;
}
