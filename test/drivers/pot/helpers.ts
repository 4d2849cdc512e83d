import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, symlinkSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskConfig } from '../../../src/drivers/driver.js';
import type { ImageProgress, ImageRef, PotImageSource, PreparedImage } from '../../../src/drivers/pot/index.js';
import { PotDriver } from '../../../src/drivers/pot/index.js';

/** Jail tests need root, runc and a static busybox; they fail loudly without them, never skip. */
export function requireJailHost(): void {
  if (process.getuid?.() !== 0) throw new Error('pot driver tests must run as root (namespaces, mounts, iptables)');
  for (const tool of ['runc', 'ip', 'iptables', 'mount']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`pot driver tests need "${tool}" on PATH (apt-get install runc iproute2 iptables)`);
  }
  if (!existsSync('/bin/busybox')) throw new Error('pot driver tests need /bin/busybox (apt-get install busybox-static)');
}

/** A real, minimal rootfs: the host's static busybox and its applets as symlinks. */
export function makeBusyboxRootfs(dir: string, opts: { withShell?: boolean } = {}): string {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'tmp', 'root', 'var/www', 'proc', 'sys', 'dev']) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync('/bin/busybox', join(dir, 'bin/busybox'));
  const applets = execFileSync('/bin/busybox', ['--list']).toString().split('\n').filter(Boolean);
  for (const a of applets) {
    if (a === 'busybox' || (!opts.withShell && (a === 'sh' || a === 'ash'))) continue;
    if (!existsSync(join(dir, 'bin', a))) symlinkSync('busybox', join(dir, 'bin', a));
  }
  return dir;
}

/** An image source over local rootfs dirs (the real one fetches from a registry); records holds and progress. */
export class LocalImages implements PotImageSource {
  readonly holds = new Map<string, Set<string>>();
  readonly progress: ImageProgress[] = [];

  constructor(private readonly images: Record<string, { rootfs: string; cmd?: string[] }>) {}

  async ensure(ref: ImageRef, opts: { onProgress?(p: ImageProgress): void }): Promise<PreparedImage> {
    const img = this.images[`${ref.pot}:${ref.tag}`];
    if (!img) throw new Error(`image ${ref.pot}:${ref.tag} not found at ${ref.url}`);
    const p = { phase: 'ready', message: `Image ${ref.pot}:${ref.tag} ready` };
    this.progress.push(p);
    opts.onProgress?.(p);
    return { digest: `sha256:${ref.pot}-${ref.tag}`, rootfs: img.rootfs, meta: img.cmd ? { cmd: img.cmd } : {}, sizeBytes: 0 };
  }

  acquire(digest: string, holder: string): void {
    if (!this.holds.has(digest)) this.holds.set(digest, new Set());
    this.holds.get(digest)!.add(holder);
  }

  release(digest: string, holder: string): void {
    this.holds.get(digest)?.delete(holder);
  }

  holders(): string[] {
    return [...this.holds.values()].flatMap((s) => [...s]);
  }
}

/**
 * One test file's jail world: its own bridge, subnet and iptables chains (so
 * parallel test files never share kernel objects), a busybox image, and a
 * cleanup that removes every kernel object the file created, even after a failure.
 */
export class PotSandbox {
  readonly root = mkdtempSync(join(tmpdir(), 'kiln-pot-'));
  readonly tag = randomBytes(2).toString('hex');
  readonly bridge = `kt${this.tag}`;
  readonly chainPrefix = `KT${this.tag}`;
  readonly subnet = `10.251.${randomBytes(1)[0]}.0/24`;
  readonly stateDir = join(this.root, 'state');
  readonly cgroupParent = `/kiln-test-${this.tag}`;
  readonly images: LocalImages;
  private readonly drivers: PotDriver[] = [];

  constructor() {
    requireJailHost();
    const rootfs = makeBusyboxRootfs(join(this.root, 'images', 'busybox'), { withShell: true });
    const noShell = makeBusyboxRootfs(join(this.root, 'images', 'noshell'));
    this.images = new LocalImages({ 'busybox:1': { rootfs, cmd: ['/bin/sh', '-c', 'echo default command; sleep 1000'] }, 'noshell:1': { rootfs: noShell } });
  }

  async driver(): Promise<PotDriver> {
    const d = await PotDriver.create({ stateDir: this.stateDir, images: this.images, bridge: this.bridge, subnet: this.subnet, chainPrefix: this.chainPrefix, cgroupParent: this.cgroupParent, logRotateIntervalMs: 50 });
    this.drivers.push(d);
    return d;
  }

  config(taskName: string, config: Record<string, unknown>, extra: Partial<TaskConfig> = {}): TaskConfig {
    const allocId = randomUUID();
    const allocDir = join(this.root, 'alloc', allocId);
    const taskDir = join(allocDir, taskName);
    const logDir = join(allocDir, 'alloc', 'logs');
    mkdirSync(taskDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    return {
      id: `${allocId}/${taskName}`,
      allocId,
      taskName,
      jobName: 'job',
      groupName: 'group',
      config: { image: 'http://127.0.0.1/registry/', pot: 'busybox', tag: '1', ...config },
      env: { NOMAD_ALLOC_ID: allocId, NOMAD_TASK_NAME: taskName },
      resources: { CPU: 100, MemoryMB: 64 },
      allocDir: join(allocDir, 'alloc'),
      taskDir,
      logDir,
      logConfig: { MaxFiles: 3, MaxFileSizeMB: 10 },
      ports: [],
      ...extra,
    };
  }

  log(cfg: TaskConfig, stream: 'stdout' | 'stderr', index = 0): string {
    try {
      return readFileSync(join(cfg.logDir, `${cfg.taskName}.${stream}.${index}`), 'utf8');
    } catch {
      return '';
    }
  }

  /** Remove every container, mount, netns, link, rule and file of this sandbox. */
  async cleanup(): Promise<void> {
    for (const d of this.drivers) await d.close();
    const runcRoot = join(this.stateDir, 'runc');
    const list = spawnSync('runc', ['--root', runcRoot, 'list', '-q']);
    for (const id of list.stdout?.toString().split('\n').filter(Boolean) ?? []) spawnSync('runc', ['--root', runcRoot, 'delete', '-f', id]);
    for (const m of mountsUnder(this.root).reverse()) spawnSync('umount', ['-l', m]);
    for (const ns of netnsList()) if (ns.includes(this.tag) || existsSync(join(this.root, 'alloc', ns.replace(/^kiln-/, '').slice(0, 36)))) spawnSync('ip', ['netns', 'del', ns]);
    for (const link of linksOn(this.bridge)) spawnSync('ip', ['link', 'del', link]);
    spawnSync('ip', ['link', 'del', this.bridge]);
    for (const [table, builtin, chain] of [
      ['nat', 'PREROUTING', 'PREROUTING'],
      ['nat', 'OUTPUT', 'OUTPUT'],
      ['nat', 'POSTROUTING', 'POSTROUTING'],
      ['filter', 'FORWARD', 'FORWARD'],
      ['filter', 'INPUT', 'INPUT'],
    ] as const) {
      const rules = spawnSync('iptables', ['-w', '-t', table, '-S', builtin]).stdout.toString().split('\n');
      for (const r of rules.filter((l) => l.includes(`${this.chainPrefix}-${chain}`))) spawnSync('sh', ['-c', `iptables -w -t ${table} ${r.replace(/^-A/, '-D')}`]);
      spawnSync('iptables', ['-w', '-t', table, '-F', `${this.chainPrefix}-${chain}`]);
      spawnSync('iptables', ['-w', '-t', table, '-X', `${this.chainPrefix}-${chain}`]);
    }
    for (const h of existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : []) {
      try {
        rmdirSync(join('/sys/fs/cgroup', h, this.cgroupParent));
      } catch {
        // not created in this hierarchy
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(dir));
}

export function netnsList(): string[] {
  return spawnSync('ip', ['netns', 'list']).stdout.toString().split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean);
}

export function linksOn(bridge: string): string[] {
  const out = spawnSync('ip', ['-o', 'link', 'show', 'master', bridge]).stdout?.toString() ?? '';
  return out.split('\n').map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1]).filter((x): x is string => x !== undefined);
}

/** Every iptables rule (nat and filter) that mentions `text`. */
export function rulesMentioning(text: string): string[] {
  return ['nat', 'filter'].flatMap((t) => spawnSync('iptables', ['-w', '-t', t, '-S']).stdout.toString().split('\n')).filter((l) => l.includes(text));
}

/** A TCP port nobody listens on right now, for a mapped host port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Poll until `fn` returns a truthy value (or throw its last error after `ms`). */
export async function eventually<T>(fn: () => T | Promise<T>, ms = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
