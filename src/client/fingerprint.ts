import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import type { DriverRegistry } from '../drivers/index.js';
import type { DriverInfo, Node, NodeResources } from '../structs/index.js';
import { DEFAULT_MAX_DYNAMIC_PORT, DEFAULT_MIN_DYNAMIC_PORT, nowNs } from '../structs/index.js';

export const KILN_VERSION = '0.1.0';
/** What we answer for `nomad.version` so Nomad-style constraints keep working. */
export const NOMAD_COMPAT_VERSION = '1.7.0';
const FALLBACK_MHZ = 1000;

/** Reads files through a seam so tests can feed fixtures. */
export interface HostFacts {
  readFile(path: string): string | undefined;
  hostname(): string;
  arch(): string;
  release(): string;
  cpuCount(): number;
  totalMemBytes(): number;
}

export const realHost: HostFacts = {
  readFile: (p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
  hostname: () => os.hostname(),
  arch: () => os.arch(),
  release: () => os.release(),
  cpuCount: () => os.cpus().length || 1,
  totalMemBytes: () => os.totalmem(),
};

/** `ID` from /etc/os-release (debian, ubuntu, …), or "unknown". */
export function osName(osRelease: string | undefined): string {
  const m = /^ID="?([^"\n]+)"?$/m.exec(osRelease ?? '');
  return m?.[1] ?? 'unknown';
}

/** MHz of the first CPU in /proc/cpuinfo, or the fallback when the kernel does not say (some VMs, arm). */
export function cpuMhz(cpuinfo: string | undefined): number {
  const m = /^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo ?? '');
  const mhz = m ? Math.floor(Number(m[1])) : 0;
  return mhz > 0 ? mhz : FALLBACK_MHZ;
}

export function hostAttributes(host: HostFacts, address: string): Record<string, string> {
  const cores = host.cpuCount();
  const mhz = cpuMhz(host.readFile('/proc/cpuinfo'));
  const osRelease = host.readFile('/etc/os-release');
  const version = /^VERSION_ID="?([^"\n]+)"?$/m.exec(osRelease ?? '')?.[1];
  return {
    'kernel.name': os.platform(),
    'kernel.version': host.release(),
    'os.name': osName(osRelease),
    ...(version ? { 'os.version': version } : {}),
    'cpu.arch': host.arch(),
    'cpu.numcores': String(cores),
    'cpu.frequency': String(mhz),
    'cpu.totalcompute': String(mhz * cores),
    'memory.totalbytes': String(host.totalMemBytes()),
    'unique.hostname': host.hostname(),
    'unique.network.ip-address': address,
    'nomad.version': NOMAD_COMPAT_VERSION,
    'kiln.version': KILN_VERSION,
  };
}

export function nodeResources(attrs: Record<string, string>): NodeResources {
  return {
    Cpu: { CpuShares: Number(attrs['cpu.totalcompute']), TotalCpuCores: Number(attrs['cpu.numcores']) },
    Memory: { MemoryMB: Math.floor(Number(attrs['memory.totalbytes']) / (1024 * 1024)) },
    Disk: { DiskMB: 0 },
    MinDynamicPort: DEFAULT_MIN_DYNAMIC_PORT,
    MaxDynamicPort: DEFAULT_MAX_DYNAMIC_PORT,
  };
}

/** The node's ID, created once and kept in `<dataDir>/client/node-id` so restarts keep it. */
export function loadOrCreateNodeId(dataDir: string): string {
  const path = join(dataDir, 'client', 'node-id');
  try {
    const id = readFileSync(path, 'utf8').trim();
    if (id) return id;
  } catch {
    // first start
  }
  const id = randomUUID();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${id}\n`);
  return id;
}

async function driverInfos(drivers: DriverRegistry): Promise<Record<string, DriverInfo>> {
  const entries = await Promise.all(
    drivers.all().map(async (d): Promise<[string, DriverInfo]> => {
      try {
        return [d.name, await d.fingerprint()];
      } catch (err) {
        return [d.name, { Detected: false, Healthy: false, HealthDescription: `fingerprint failed: ${(err as Error).message}`, Attributes: {}, UpdateTime: nowNs() }];
      }
    }),
  );
  return Object.fromEntries(entries);
}

export interface FingerprintOptions {
  nodeId: string;
  datacenter: string;
  nodeName?: string;
  nodeClass?: string;
  meta?: Record<string, string>;
  address: string;
  httpAddr: string;
  drivers: DriverRegistry;
  host?: HostFacts;
}

/** The Node this client registers: host attributes, resources and driver fingerprints. */
export async function fingerprintNode(o: FingerprintOptions): Promise<Node> {
  const host = o.host ?? realHost;
  const drivers = await driverInfos(o.drivers);
  const attrs = hostAttributes(host, o.address);
  for (const info of Object.values(drivers)) if (info.Detected) Object.assign(attrs, info.Attributes);
  return {
    ID: o.nodeId,
    Name: o.nodeName ?? host.hostname(),
    Datacenter: o.datacenter,
    NodeClass: o.nodeClass ?? '',
    NodePool: 'default',
    Address: o.address,
    HTTPAddr: o.httpAddr,
    Attributes: attrs,
    Meta: o.meta ?? {},
    Drivers: drivers,
    NodeResources: nodeResources(attrs),
    ReservedResources: { Cpu: { CpuShares: 0 }, Memory: { MemoryMB: 0 } },
    Status: 'initializing',
    StatusDescription: '',
    StatusUpdatedAt: nowNs(),
    SchedulingEligibility: 'eligible',
    Drain: false,
    Version: KILN_VERSION,
    CreateIndex: 0,
    ModifyIndex: 0,
  };
}
