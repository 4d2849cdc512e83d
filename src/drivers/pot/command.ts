import { KilnError } from '../../structs/index.js';

/**
 * The argv the jail's init runs, pot's way: `command` and `args` joined into
 * one string and run through the jail's shell as `exec <cmd>`, so shell
 * quoting inside args works (`args = ["-g", "'daemon off;'"]`). Without a
 * shell in the image the words are exec'd directly, without shell parsing.
 * Without a command the image's default command runs.
 */
export function jailArgv(opts: { command?: string; args: string[]; imageCmd?: string[]; shell?: string; image: string }): string[] {
  if (opts.command === undefined) {
    const cmd = opts.imageCmd ?? [];
    if (cmd.length === 0) {
      throw new KilnError('DRIVER_ERROR', `image ${opts.image} has no default command and the task sets none: add command = "..." to the task's config`);
    }
    return cmd;
  }
  const line = [opts.command, ...opts.args].join(' ');
  if (opts.shell) return [opts.shell, '-c', `exec ${line}`];
  return [opts.command, ...opts.args];
}

/** The program a command line starts (its first word), to check it exists in the image before starting. */
export function programOf(argv: string[]): string | undefined {
  const [first, second, third] = argv;
  if (second === '-c' && third !== undefined && third.startsWith('exec ')) {
    const word = third.slice(5).trim().split(/\s+/)[0];
    return word?.replace(/^['"]|['"]$/g, '');
  }
  return first;
}

/** Directories searched for a program without a slash, as a jail's shell would. */
export const JAIL_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
