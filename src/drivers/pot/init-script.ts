import type { ExitResult } from '../driver.js';

/** Where kiln's own files appear inside a jail. */
export const JAIL_KILN_DIR = '/.kiln';
export const JAIL_BUSYBOX = '/.kiln/busybox';
export const JAIL_STATE_DIR = '/.kiln/state';
export const INIT_SCRIPT_NAME = 'init.sh';
export const EXIT_FILE_NAME = 'exit';

/**
 * PID 1 of every jail, run by the host's static busybox (bind-mounted read
 * only), so it works in images without a shell. It plays the role of pot's
 * tinirc + last-run-stats without a helper process on the host:
 * - fds 3 and 4 are the task's log files (runc --preserve-fds), so runc's own
 *   messages on fds 1/2 never mix with the task's output;
 * - the task runs in the foreground, so it keeps default signal dispositions
 *   (a background job of a non-interactive shell would ignore INT and QUIT);
 *   signals reach it through `runc kill --all`, like pot's `pkill -j`;
 *   the traps only keep this init alive until the task is gone;
 * - its exit status lands in a host directory, read by the driver even after
 *   an agent restart.
 */
export const INIT_SCRIPT = `# kiln jail init (PID 1)
exec 1>&3 2>&4 3>&- 4>&-
trap : TERM INT HUP QUIT USR1 USR2
"$@"
st=$?
echo "$st" > ${JAIL_STATE_DIR}/${EXIT_FILE_NAME}.tmp && ${JAIL_BUSYBOX} mv ${JAIL_STATE_DIR}/${EXIT_FILE_NAME}.tmp ${JAIL_STATE_DIR}/${EXIT_FILE_NAME}
exit "$st"
`;

/** The init's argv: the task argv follows the script. */
export function initArgv(taskArgv: string[]): string[] {
  return [JAIL_BUSYBOX, 'sh', `${JAIL_STATE_DIR}/${INIT_SCRIPT_NAME}`, ...taskArgv];
}

/** Read a shell exit status (`128+n` = killed by signal n) as an ExitResult. */
export function parseExitStatus(text: string): ExitResult | undefined {
  const status = Number(text.trim());
  if (!Number.isInteger(status) || status < 0 || text.trim() === '') return undefined;
  const signal = status > 128 && status < 128 + 65 ? status - 128 : 0;
  return { exitCode: status, signal, oomKilled: false };
}
