/**
 * `kiln agent install`: a systemd unit that runs `kiln agent -config <file>`.
 * Pure: the unit text and where it goes are decided here; the command writes
 * the file (or prints it with -dry-run) and says what to run next.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface UnitOptions {
  /** The node binary (absolute). */
  nodePath: string;
  /** bin/kiln.js (absolute). */
  kilnBin: string;
  /** The agent config file or directory (absolute). */
  configPath: string;
  /** A user unit (`systemctl --user`) instead of a system one. */
  user: boolean;
  /** Roles the config enables, for the description. */
  roles: string[];
}

export interface InstallPlan {
  unitPath: string;
  unit: string;
  /** What to run after the unit is written. */
  next: string[];
}

export const UNIT_NAME = 'kiln.service';

/** Where units go: /etc/systemd/system, or ~/.config/systemd/user for -user. */
export function defaultUnitDir(user: boolean, home = homedir()): string {
  return user ? join(home, '.config', 'systemd', 'user') : '/etc/systemd/system';
}

/**
 * The unit. KillMode=process: on stop or restart systemd signals only the
 * agent, so the tasks it started keep running and the next agent re-attaches
 * to them (the control-group default would kill every task with the agent).
 * SIGTERM is the clean shutdown; a client drains first only with
 * `client { drain_on_shutdown = true }`. `systemctl reload` sends SIGHUP,
 * which reloads the TLS certificates.
 */
export function systemdUnit(o: UnitOptions): string {
  const lines = [
    '[Unit]',
    `Description=kiln agent (${o.roles.join(', ') || 'no role'})`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${quote(o.nodePath)} ${quote(o.kilnBin)} agent -config ${quote(o.configPath)}`,
    'KillMode=process',
    'KillSignal=SIGTERM',
    // systemctl reload kiln: the agent reloads its TLS certificates on SIGHUP.
    'ExecReload=/bin/kill -HUP $MAINPID',
    // Long enough for a drain_on_shutdown client to move its allocations away.
    'TimeoutStopSec=120',
    'Restart=on-failure',
    'RestartSec=2',
    'LimitNOFILE=65536',
    'LimitNPROC=infinity',
    'TasksMax=infinity',
    ...(o.user ? [] : ['Delegate=yes']),
    '',
    '[Install]',
    `WantedBy=${o.user ? 'default.target' : 'multi-user.target'}`,
    '',
  ];
  return lines.join('\n');
}

/** systemd splits ExecStart on spaces: quote paths that have any. */
const quote = (path: string): string => (/[\s"]/.test(path) ? `"${path.replace(/"/g, '\\"')}"` : path);

export function installPlan(o: UnitOptions & { unitDir?: string }): InstallPlan {
  const unitPath = join(o.unitDir ?? defaultUnitDir(o.user), UNIT_NAME);
  const ctl = o.user ? 'systemctl --user' : 'systemctl';
  return { unitPath, unit: systemdUnit(o), next: [`${ctl} daemon-reload`, `${ctl} enable --now kiln`, `journalctl ${o.user ? '--user ' : ''}-u kiln -f`] };
}
