/**
 * Builds the OCI runtime spec (config.json) of a jail. Pure: every path and
 * limit comes in, the spec goes out, so it is tested with fixtures.
 */
import { jailSeccompProfile } from './seccomp.js';

export interface JailSpecInput {
  /** The merged overlay rootfs on the host. */
  rootfs: string;
  /** Argv of PID 1 (the kiln init followed by the task). */
  args: string[];
  env: Record<string, string>;
  hostname: string;
  /** `/run/netns/<name>`; undefined = the host's network (network_mode "host"). */
  netnsPath?: string;
  memoryMB: number;
  cpuMHz: number;
  pidsLimit: number;
  /** Relative cgroup path, e.g. `/kiln/<container id>`. */
  cgroupsPath: string;
  binds: { host: string; jail: string; readOnly: boolean }[];
  /** Mount a fresh tmpfs on /tmp (pot's `no-tmpfs` attribute turns it off). */
  tmpfsTmp: boolean;
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

/** Docker's default capability set without NET_RAW (no raw sockets / ping spoofing from jails). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** As Docker: kernel interfaces a jail has no business reading. */
export const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** cpu.shares from MHz as Nomad's docker driver does; the kernel's minimum is 2. */
export const cpuShares = (mhz: number): number => Math.max(2, Math.floor(mhz));

export function buildJailSpec(input: JailSpecInput): Record<string, unknown> {
  const env = { PATH: DEFAULT_PATH, HOME: '/root', HOSTNAME: input.hostname, ...input.env };
  const namespaces: { type: string; path?: string }[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (input.netnsPath) namespaces.push({ type: 'network', path: input.netnsPath });
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: input.args,
      env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      cwd: '/',
      capabilities: { bounding: DEFAULT_CAPABILITIES, effective: DEFAULT_CAPABILITIES, permitted: DEFAULT_CAPABILITIES },
      noNewPrivileges: true,
    },
    root: { path: input.rootfs, readonly: false },
    hostname: input.hostname,
    mounts: jailMounts(input),
    linux: {
      cgroupsPath: input.cgroupsPath,
      resources: {
        devices: [{ allow: false, access: 'rwm' }],
        memory: { limit: Math.floor(input.memoryMB * 1024 * 1024) },
        cpu: { shares: cpuShares(input.cpuMHz) },
        pids: { limit: input.pidsLimit },
      },
      namespaces,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      seccomp: jailSeccompProfile(),
    },
  };
}

export function jailMounts(input: Pick<JailSpecInput, 'binds' | 'tmpfsTmp'>): OciMount[] {
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  ];
  if (input.tmpfsTmp) mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] });
  for (const b of input.binds) {
    mounts.push({ destination: b.jail, type: 'bind', source: b.host, options: ['rbind', 'rprivate', b.readOnly ? 'ro' : 'rw', 'nosuid', 'nodev'] });
  }
  return mounts;
}
