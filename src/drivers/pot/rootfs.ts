import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { KilnError } from '../../structs/index.js';
import { runCommand, runChecked } from './run-command.js';

/** Where a jail's writable layer lives: `upper` and `work` for overlayfs, `rootfs` = the merged view. */
export interface OverlayDirs {
  upper: string;
  work: string;
  merged: string;
}

export const overlayDirs = (base: string): OverlayDirs => ({ upper: join(base, 'upper'), work: join(base, 'work'), merged: join(base, 'rootfs') });

/** Mount `lower` (the shared read-only image) under a per-allocation writable layer. */
export async function mountOverlay(lower: string, dirs: OverlayDirs): Promise<void> {
  for (const d of [dirs.upper, dirs.work, dirs.merged]) mkdirSync(d, { recursive: true });
  if (await isMountPoint(dirs.merged)) return; // re-run after a failed start
  await runChecked('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${dirs.upper},workdir=${dirs.work}`, dirs.merged], 'cannot mount the jail rootfs');
}

/** Unmount (lazily if busy) and remove the writable layer. Idempotent. */
export async function removeOverlay(dirs: OverlayDirs): Promise<void> {
  if (await isMountPoint(dirs.merged)) {
    const r = await runCommand('umount', [dirs.merged]);
    if (r.code !== 0) await runChecked('umount', ['-l', dirs.merged], 'cannot unmount the jail rootfs');
  }
  for (const d of [dirs.merged, dirs.upper, dirs.work]) rmSync(d, { recursive: true, force: true });
}

export async function isMountPoint(path: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return mounts.split('\n').some((line) => unescapeMount(line.split(' ')[1] ?? '') === path);
}

const unescapeMount = (s: string): string => s.replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

/** /etc/hosts, /etc/resolv.conf and /etc/hostname of a jail, written into its writable layer. */
export function writeEtcFiles(merged: string, o: { hostname: string; ip?: string; extraHosts: { name: string; ip: string }[]; resolvConf: string }): void {
  const etc = join(merged, 'etc');
  mkdirSync(etc, { recursive: true });
  const hosts = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', `${o.ip ?? '127.0.1.1'}\t${o.hostname}`, ...o.extraHosts.map((h) => `${h.ip}\t${h.name}`)];
  for (const name of ['hosts', 'resolv.conf', 'hostname']) rmSync(join(etc, name), { force: true }); // a symlink in the image must not redirect the write
  writeFileSync(join(etc, 'hosts'), `${hosts.join('\n')}\n`);
  writeFileSync(join(etc, 'resolv.conf'), o.resolvConf);
  writeFileSync(join(etc, 'hostname'), `${o.hostname}\n`);
}

/**
 * The node's resolv.conf for a jail: loopback resolvers (systemd-resolved,
 * dnsmasq on 127.x) are unreachable from a jail's own network, so they are dropped.
 */
export function jailResolvConf(hostResolv = '/etc/resolv.conf', bridged = true): string {
  let text = '';
  try {
    text = readFileSync(hostResolv, 'utf8');
  } catch {
    return '';
  }
  if (!bridged) return text;
  return text
    .split('\n')
    .filter((l) => !/^\s*nameserver\s+(127\.|::1)/.test(l))
    .join('\n');
}

/** pot's `copy`: copy host files into the jail's writable layer before start. */
export function copyIn(merged: string, copies: { host: string; jail: string }[]): void {
  for (const c of copies) {
    if (!existsSync(c.host)) throw new KilnError('DRIVER_ERROR', `copy "${c.host}:${c.jail}": ${c.host} does not exist on the node`);
    const target = resolveInRootfs(merged, c.jail);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(c.host, target, { recursive: true, dereference: true });
  }
}

/**
 * The host path of `path` inside a rootfs, following symlinks as the jail
 * would see them (absolute links resolve against the rootfs, never the host).
 */
export function resolveInRootfs(rootfs: string, path: string): string {
  let parts = path.split('/').filter(Boolean);
  const done: string[] = [];
  for (let hops = 0; parts.length > 0; ) {
    const part = parts.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = join(rootfs, ...done, part);
    let link: string | undefined;
    try {
      link = lstatSync(host).isSymbolicLink() ? readlinkSync(host) : undefined;
    } catch {
      link = undefined;
    }
    if (link === undefined) {
      done.push(part);
      continue;
    }
    if (++hops > 40) throw new KilnError('DRIVER_ERROR', `too many symbolic links resolving ${path} in the image`);
    if (link.startsWith('/')) done.length = 0;
    parts = [...link.split('/').filter(Boolean), ...parts];
  }
  return join(rootfs, ...done);
}

/** The jail path of `program` (searched in `searchPath` when it has no slash), or undefined when the image lacks it. */
export function findProgram(rootfs: string, program: string, searchPath: string[]): string | undefined {
  const candidates = program.includes('/') ? [posix.resolve('/', program)] : searchPath.map((d) => posix.join(d, program));
  return candidates.find((c) => {
    try {
      const st = lstatSync(resolveInRootfs(rootfs, c));
      return st.isFile() && (st.mode & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}
