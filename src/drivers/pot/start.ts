import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KilnError } from '../../structs/index.js';
import { listLogIndexes, logFileBytes } from '../../client/logs/rotating-writer.js';
import type { TaskConfig } from '../driver.js';
import type { CgroupLayout } from './cgroups.js';
import { JAIL_PATH, jailArgv, programOf } from './command.js';
import type { PotConfig } from './config.js';
import { parsePotConfig } from './config.js';
import type { ImageProgress, PotImageSource, PreparedImage } from './images.js';
import { INIT_SCRIPT, INIT_SCRIPT_NAME, JAIL_BUSYBOX, JAIL_STATE_DIR, initArgv } from './init-script.js';
import type { JailState } from './jail.js';
import { potPaths } from './jail.js';
import type { LogStream } from './log-rotator.js';
import type { JailNetwork } from './net/index.js';
import { buildJailSpec } from './oci-spec.js';
import { copyIn, findProgram, mountOverlay, overlayDirs, writeEtcFiles } from './rootfs.js';
import type { Runc } from './runc.js';

export interface JailDeps {
  runc: Runc;
  network: JailNetwork;
  images: PotImageSource;
  /** A static busybox on the host, bind-mounted read-only as the jail's init shell. */
  busybox: string;
  cgroups: CgroupLayout;
  pidsLimit: number;
  /** Parent of every jail's cgroup, e.g. `/kiln`. */
  cgroupParent: string;
  resolvConf: string;
}

export interface StartOptions {
  onProgress?(p: ImageProgress): void;
  signal?: AbortSignal;
}

const TRUE_WORDS = new Set(['yes', 'on', 'true', '1']);

export const containerIdFor = (taskId: string): string => `kiln-${taskId.replace(/[^A-Za-z0-9_.-]/g, '-')}`;
export const hostnameFor = (cfg: Pick<TaskConfig, 'taskName' | 'allocId'>): string =>
  `${cfg.taskName}-${cfg.allocId.slice(0, 8)}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '').slice(0, 63);

/** Each mapped label's host port, or a DRIVER_ERROR naming the labels the group really has. */
export function resolvePorts(pc: PotConfig, cfg: Pick<TaskConfig, 'ports'>): { label: string; hostPort: number; jailPort: number }[] {
  return Object.entries(pc.portMap).map(([label, jailPort]) => {
    const port = cfg.ports.find((p) => p.Label === label);
    if (!port) {
      const known = cfg.ports.map((p) => p.Label).join(', ') || 'none';
      throw new KilnError('DRIVER_ERROR', `port_map label "${label}" is not a port of this group (its ports: ${known}); add port "${label}" {} to the group's network block`);
    }
    return { label, hostPort: port.Value, jailPort };
  });
}

/**
 * Prepare and start one jail: image, overlay rootfs, network, /etc files,
 * OCI bundle, `runc run --detach` with the log files as its output. Any
 * failure undoes what was done and surfaces the real cause.
 */
export async function startJail(deps: JailDeps, cfg: TaskConfig, opts: StartOptions, teardown: (state: JailState) => Promise<void>): Promise<JailState> {
  const pc = parsePotConfig(cfg.config);
  const ports = pc.networkMode === 'host' ? [] : resolvePorts(pc, cfg);
  const potDir = join(cfg.taskDir, '.pot');
  const image = await deps.images.ensure({ url: pc.image, pot: pc.pot, tag: pc.tag, ...(pc.digest ? { digest: pc.digest } : {}) }, {
    holder: cfg.id, // held from the moment it is ready: no window for the image GC
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  deps.images.acquire(image.digest, cfg.id);
  const state: JailState = {
    containerId: containerIdFor(cfg.id),
    potDir,
    cgroupsPath: `${deps.cgroupParent}/${containerIdFor(cfg.id)}`,
    digest: image.digest,
    hostname: hostnameFor(cfg),
    pid: 0,
    memoryMB: cfg.resources.MemoryMB,
    logs: logStreams(cfg),
  };
  try {
    await deps.runc.delete(state.containerId, true); // a crashed earlier attempt of the same task
    const paths = potPaths(potDir);
    rmSync(paths.kilnState, { recursive: true, force: true });
    for (const d of [paths.bundle, paths.kilnState]) mkdirSync(d, { recursive: true });
    const layers = overlayDirs(paths.layers);
    await mountOverlay(image.rootfs, layers);
    copyIn(layers.merged, pc.copies); // before the command check: a copied file may be the command
    const taskArgv = checkedArgv(pc, image, layers.merged);
    const nodeAccess = TRUE_WORDS.has((pc.attributes['node-access'] ?? '').toLowerCase());
    if (pc.networkMode !== 'host') state.net = await deps.network.attach(cfg.id, ports, { nodeAccess });
    writeEtcFiles(layers.merged, { hostname: state.hostname, ...(state.net ? { ip: state.net.ip } : {}), extraHosts: pc.extraHosts, resolvConf: deps.resolvConf });
    writeFileSync(join(paths.kilnState, INIT_SCRIPT_NAME), INIT_SCRIPT);
    const spec = buildJailSpec({
      rootfs: layers.merged,
      args: initArgv(taskArgv),
      env: jailEnv(cfg, image),
      hostname: state.hostname,
      ...(state.net ? { netnsPath: state.net.netnsPath } : {}),
      memoryMB: cfg.resources.MemoryMB,
      cpuMHz: cfg.resources.CPU,
      pidsLimit: deps.pidsLimit,
      cgroupsPath: state.cgroupsPath,
      binds: [
        { host: deps.busybox, jail: JAIL_BUSYBOX, readOnly: true },
        { host: paths.kilnState, jail: JAIL_STATE_DIR, readOnly: false },
        ...nomadDirs(cfg),
        ...pc.mounts,
      ],
      tmpfsTmp: !TRUE_WORDS.has((pc.attributes['no-tmpfs'] ?? '').toLowerCase()),
    });
    writeFileSync(join(paths.bundle, 'config.json'), JSON.stringify(spec, null, 1));
    await runWithLogFds(deps.runc, state, paths.bundle);
    state.pid = (await deps.runc.state(state.containerId))?.pid ?? 0;
    return state;
  } catch (err) {
    await teardown(state).catch(() => undefined);
    throw err;
  }
}

function checkedArgv(pc: PotConfig, image: PreparedImage, rootfs: string): string[] {
  const shell = findProgram(rootfs, '/bin/sh', []);
  const argv = jailArgv({ ...(pc.command !== undefined ? { command: pc.command } : {}), args: pc.args, ...(image.meta.cmd ? { imageCmd: image.meta.cmd } : {}), ...(shell ? { shell } : {}), image: `${pc.pot}:${pc.tag}` });
  const program = programOf(argv);
  if (program && !findProgram(rootfs, program, JAIL_PATH)) {
    const where = program.includes('/') ? '' : ` (searched ${JAIL_PATH.join(':')})`;
    throw new KilnError('DRIVER_ERROR', `command "${program}" was not found in image ${pc.pot}:${pc.tag}${where}: fix "command" or use an image that contains it`);
  }
  return argv;
}

async function runWithLogFds(runc: Runc, state: JailState, bundle: string): Promise<void> {
  const [out, err] = state.logs.map((s) => {
    mkdirSync(s.logDir, { recursive: true });
    const live = listLogIndexes(s.logDir, s.baseName).pop() ?? 0;
    return openSync(join(s.logDir, `${s.baseName}.${live}`), 'a');
  });
  try {
    await runc.runDetached(state.containerId, bundle, { stdoutFd: out!, stderrFd: err! });
  } finally {
    closeSync(out!);
    closeSync(err!);
  }
}

function logStreams(cfg: TaskConfig): LogStream[] {
  const maxFileBytes = logFileBytes(cfg.logConfig.MaxFileSizeMB);
  return ['stdout', 'stderr'].map((s) => ({ logDir: cfg.logDir, baseName: `${cfg.taskName}.${s}`, maxFiles: cfg.logConfig.MaxFiles, maxFileBytes }));
}

/** The task dirs at the paths Nomad's isolating drivers use, as pot mounts local/ and secrets/. */
function nomadDirs(cfg: TaskConfig): { host: string; jail: string; readOnly: boolean }[] {
  const dirs = [
    { host: join(cfg.taskDir, 'local'), jail: '/local', readOnly: false },
    { host: join(cfg.taskDir, 'secrets'), jail: '/secrets', readOnly: false },
    { host: cfg.allocDir, jail: '/alloc', readOnly: false },
  ];
  for (const d of dirs) mkdirSync(d.host, { recursive: true });
  return dirs;
}

/** Image defaults, then the task's env; NOMAD_*_DIR point at the jail's view of the task dirs. */
function jailEnv(cfg: TaskConfig, image: PreparedImage): Record<string, string> {
  const env: Record<string, string> = { ...(image.meta.env ?? {}), ...cfg.env };
  if ('NOMAD_TASK_DIR' in env) env.NOMAD_TASK_DIR = '/local';
  if ('NOMAD_SECRETS_DIR' in env) env.NOMAD_SECRETS_DIR = '/secrets';
  if ('NOMAD_ALLOC_DIR' in env) env.NOMAD_ALLOC_DIR = '/alloc';
  return env;
}

