import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { killPids, nsName, pidsInCgroup, pidsInNs, removeCgroups, type ClusterNet } from './net.js';

/**
 * Runs inside the host's network namespace, in a mount namespace of its own
 * (slave of the root one, so nothing mounted here leaks out):
 * - a fresh sysfs, so /sys/class/net shows this namespace's links (as
 *   `ip netns exec` does), with the cgroup trees bound back under it (which
 *   `ip netns exec` loses, and runc needs for jails);
 * - a private tmpfs on /run/netns, so the jails' namespaces of this host are
 *   invisible to other hosts and vanish with it.
 */
const HOST_SHELL = `set -e
stage="$1"; shift
mkdir -p "$stage"
mount --rbind /sys/fs/cgroup "$stage"
mount -t sysfs sysfs /sys
mount --rbind "$stage" /sys/fs/cgroup
umount -l "$stage"
mkdir -p /run/netns
mount -t tmpfs -o size=1m kclu-netns /run/netns
exec "$@"`;

export interface HostProcess {
  host: string;
  pid: number;
  /** The last 8 KiB of the process's output (for failure messages). */
  tail(): string;
  exited(): boolean;
  /** SIGKILL this process only (the host's other processes, e.g. tasks, live on). */
  kill9(): Promise<void>;
  /** SIGTERM and wait (up to 10 s, then SIGKILL). */
  stop(): Promise<void>;
}

export interface LaunchOptions {
  net: ClusterNet;
  host: string;
  argv: string[];
  /** Directory for this host's files; the log goes to `<dir>/<name>.log`. */
  dir: string;
  logName: string;
  /** Wrap in HOST_SHELL (agents); etcd needs only the network namespace. */
  isolateMounts: boolean;
}

export function launch(opts: LaunchOptions): HostProcess {
  mkdirSync(opts.dir, { recursive: true });
  const logFile = join(opts.dir, `${opts.logName}.log`);
  const fd = openSync(logFile, 'a');
  const ns = `--net=/run/netns/${nsName(opts.net, opts.host)}`;
  const argv = opts.isolateMounts
    ? [ns, '--', 'unshare', '--mount', '--propagation', 'slave', '--', 'sh', '-c', HOST_SHELL, 'sh', join(opts.dir, '.cgroup-stage'), ...opts.argv]
    : [ns, '--', ...opts.argv];
  const child: ChildProcess = spawn('nsenter', argv, { stdio: ['ignore', fd, fd], env: { ...process.env, KILN_NO_COLOR: '1' } });
  closeSync(fd);
  let gone = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((gone = true), resolve())));
  child.once('error', () => (gone = true));
  const tail = (): string => {
    try {
      return readFileSync(logFile, 'utf8').slice(-8192);
    } catch {
      return '';
    }
  };
  return {
    host: opts.host,
    pid: child.pid ?? -1,
    tail,
    exited: () => gone,
    kill9: async () => {
      if (gone) return;
      child.kill('SIGKILL');
      await exit;
    },
    stop: async () => {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** The jail cgroup parent of a client host (global: cgroupfs is not namespaced here). */
export const jailCgroup = (net: ClusterNet, host: string): string => `${net.prefix}-${host}`;

/**
 * A machine dying: every process in the host's network namespace (agent,
 * executors, raw_exec tasks) and in its jail cgroups is SIGKILLed at once.
 * The namespace and its link stay, as a powered-off machine's cable would.
 */
export async function crashHost(net: ClusterNet, host: string): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const pids = [...(await pidsInNs(nsName(net, host))), ...pidsInCgroup(jailCgroup(net, host))];
    if (pids.length === 0) break;
    killPids(pids);
    await new Promise((r) => setTimeout(r, 100));
  }
  removeCgroups(jailCgroup(net, host));
}
