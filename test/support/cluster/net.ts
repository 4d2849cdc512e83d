import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The test network of one cluster: a bridge in the root namespace and one
 * network namespace per host, joined to it by a veth pair. Every name starts
 * with the cluster's prefix (e.g. `kclu0`) so a sweep can find leftovers of a
 * crashed run without touching anything else; addresses stay inside
 * 10.251.<id>.0/24.
 */
export interface ClusterNet {
  prefix: string;
  bridge: string;
  /** First three octets, e.g. `10.251.0`. */
  base: string;
  /** The root namespace's address on the bridge (the test process talks to hosts through it). */
  gateway: string;
}

export function clusterNet(id: number): ClusterNet {
  if (!Number.isInteger(id) || id < 0 || id > 9) throw new Error(`cluster id must be 0..9, got ${id}`);
  const prefix = `kclu${id}`;
  return { prefix, bridge: prefix, base: `10.251.${id}`, gateway: `10.251.${id}.254` };
}

export const nsName = (net: ClusterNet, host: string): string => `${net.prefix}-${host}`;
const vethName = (net: ClusterNet, host: string): string => `${net.prefix}${host}`.slice(0, 15);

export async function sh(cmd: string, args: string[], opts: { allowFail?: boolean } = {}): Promise<string> {
  try {
    return (await run(cmd, args, { maxBuffer: 16 << 20 })).stdout;
  } catch (err) {
    if (opts.allowFail) return '';
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

export async function createBridge(net: ClusterNet): Promise<void> {
  await sh('ip', ['link', 'add', net.bridge, 'type', 'bridge']);
  await sh('ip', ['addr', 'add', `${net.gateway}/24`, 'dev', net.bridge]);
  await sh('ip', ['link', 'set', net.bridge, 'up']);
}

/** A namespace with `eth0` at `ip`/24 on the bridge, and `lo` up. */
export async function createHostNs(net: ClusterNet, host: string, ip: string): Promise<void> {
  const ns = nsName(net, host);
  const veth = vethName(net, host);
  await sh('ip', ['netns', 'add', ns]);
  await sh('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', `${veth}p`, 'netns', ns]);
  await sh('ip', ['link', 'set', veth, 'master', net.bridge, 'up']);
  const inNs = ['link set lo up', `link set ${veth}p name eth0`, `addr add ${ip}/24 dev eth0`, 'link set eth0 up', `route add default via ${net.gateway}`, ''];
  await runBatch(ns, inNs.join('\n'));
}

async function runBatch(ns: string, input: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile('ip', ['-n', ns, '-batch', '-'], (err, _out, stderr) => (err ? reject(new Error(`ip -n ${ns} -batch failed: ${stderr}`)) : resolve()));
    child.stdin!.end(input);
  });
}

/** Cut (`down`) or restore (`up`) a host's only link, as a pulled cable would. */
export async function setLink(net: ClusterNet, host: string, state: 'up' | 'down'): Promise<void> {
  await sh('ip', ['link', 'set', vethName(net, host), state]);
}

/** Pids whose network namespace is the host's (its agent, executors, raw_exec tasks). */
export async function pidsInNs(ns: string): Promise<number[]> {
  const out = await sh('ip', ['netns', 'pids', ns], { allowFail: true });
  return out.split(/\s+/).filter(Boolean).map(Number);
}

/** Pids in the cgroup subtree `parent` (jails) in any v1 hierarchy or the v2 tree. */
export function pidsInCgroup(parent: string, root = '/sys/fs/cgroup'): number[] {
  const pids = new Set<number>();
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const line of safeRead(join(dir, 'cgroup.procs')).split('\n')) if (line) pids.add(Number(line));
    for (const e of safeList(dir)) if (isDir(join(dir, e))) walk(join(dir, e));
  };
  for (const h of hierarchies(root)) walk(join(h, parent));
  return [...pids];
}

/** rmdir a cgroup subtree, deepest first, in every hierarchy (empty cgroups only). */
export function removeCgroups(parent: string, root = '/sys/fs/cgroup'): void {
  const rm = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of safeList(dir)) if (isDir(join(dir, e))) rm(join(dir, e));
    try {
      rmdirSync(dir);
    } catch {
      // still busy: the sweep of the next run takes it
    }
  };
  for (const h of hierarchies(root)) rm(join(h, parent));
}

function hierarchies(root: string): string[] {
  if (existsSync(join(root, 'cgroup.procs'))) return [root];
  return safeList(root)
    .map((h) => join(root, h))
    .filter((h) => isDir(h) && existsSync(join(h, 'cgroup.procs')));
}

const safeRead = (f: string): string => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
};
const safeList = (d: string): string[] => {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
};
const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory() && !statSync(p).isSymbolicLink();
  } catch {
    return false;
  }
};

export function killPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Remove everything named with the cluster's prefix: processes in its
 * namespaces and cgroups, the namespaces (their veth ends go with them), the
 * bridge. Used at start (leftovers of a crashed run) and at teardown.
 */
export async function sweep(net: ClusterNet): Promise<void> {
  const names = (await sh('ip', ['netns', 'list'], { allowFail: true }))
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(`${net.prefix}-`));
  for (let round = 0; round < 3; round++) {
    for (const ns of names) killPids(await pidsInNs(ns));
    for (const cg of cgroupParents(net)) killPids(pidsInCgroup(cg));
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const cg of cgroupParents(net)) removeCgroups(cg);
  for (const ns of names) await sh('ip', ['netns', 'del', ns], { allowFail: true });
  const links = (await sh('ip', ['-o', 'link', 'show'], { allowFail: true })).split('\n').map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1]);
  for (const link of links) if (link?.startsWith(net.prefix)) await sh('ip', ['link', 'del', link], { allowFail: true });
}

/** Jail cgroup parents of this cluster's clients (`/<prefix>-<host>`), found in any hierarchy. */
function cgroupParents(net: ClusterNet): string[] {
  const found = new Set<string>();
  for (const h of hierarchies('/sys/fs/cgroup')) for (const e of safeList(h)) if (e.startsWith(`${net.prefix}-`)) found.add(e);
  return [...found];
}
