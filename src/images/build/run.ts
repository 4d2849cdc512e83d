/**
 * Build steps run inside the image being built, isolated with Linux
 * namespaces and a chroot (util-linux `unshare`): own mount, UTS, IPC and
 * PID namespaces and an empty network namespace (no network). This is not
 * runc: there are no cgroup limits, no capability drop and no seccomp, so
 * recipes must be trusted; the jail driver's runtime isolation is separate.
 */
import { spawn } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageError } from '../errors.js';

export const BUILD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export async function runInRootfs(rootfs: string, command: string, env: Record<string, string> = {}, signal?: AbortSignal): Promise<string> {
  if (process.getuid?.() !== 0) throw new ImageError('build_failed', `build step "${command}" needs root (namespaces and chroot); run "kiln image build" as root or drop the run steps`);
  const sh = await lstat(join(rootfs, 'bin/sh')).catch(() => undefined);
  if (!sh) throw new ImageError('build_failed', `build step "${command}" needs /bin/sh in the image; add a shell first (binaries = ["/bin/busybox"] and symlinks = { "/bin/sh" = "busybox" })`);
  const args = ['--mount', '--uts', '--ipc', '--pid', '--fork', '--net', `--root=${rootfs}`, '/bin/sh', '-c', command];
  const child = spawn('unshare', args, { env: { PATH: BUILD_PATH, HOME: '/', ...env }, stdio: ['ignore', 'pipe', 'pipe'], signal });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).catch((e: unknown) => {
    throw new ImageError('build_failed', `build step "${command}" could not start: ${(e as Error).message}`, { cause: e });
  });
  if (code !== 0) throw new ImageError('build_failed', `build step "${command}" failed with exit code ${code}:\n${output.trim().split('\n').slice(-20).join('\n')}`);
  return output;
}
