/**
 * `kiln agent install -config <file> [-user] [-unit-dir <dir>] [-dry-run]`:
 * validates the config with the agent's own loader, then writes a systemd
 * unit that runs the agent with it (src/agent/install.ts).
 */
import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installPlan } from '../../agent/install.js';
import { KilnError } from '../../structs/index.js';
import { addFlags, type FlagName } from '../flags.js';

interface InstallFlags {
  config?: string;
  user?: boolean;
  unitDir?: string;
  dryRun?: boolean;
}

/** bin/kiln.js, from this compiled file (dist/src/cli/commands/). */
const KILN_BIN = fileURLToPath(new URL('../../../../bin/kiln.js', import.meta.url));

export const INSTALL_SUMMARY = 'Write a systemd unit (kiln.service) that runs `kiln agent -config <file>`; -dry-run prints it instead';
export const INSTALL_FLAGS: readonly FlagName[] = ['config', 'user', 'unit-dir', 'dry-run'];

export function registerAgentInstall(agent: Command): void {
  const cmd = agent
    .command('install')
    .description(INSTALL_SUMMARY);
  addFlags(cmd, INSTALL_FLAGS);
  // optsWithGlobals: `-config` after `install` may be parsed by the parent `agent` command, which has the same flag.
  cmd.action(async (_opts: InstallFlags, self: Command) => {
    process.stdout.write(await agentInstall(self.optsWithGlobals<InstallFlags>()));
  });
}

export async function agentInstall(flags: InstallFlags): Promise<string> {
  if (!flags.config) throw new KilnError('CONFIG_INVALID', 'kiln agent install needs -config <file>: the unit runs `kiln agent -config <file>`');
  const configPath = resolve(flags.config);
  if (!existsSync(configPath)) throw new KilnError('CONFIG_INVALID', `config ${configPath} does not exist`);
  // Loaded here, not at the top: `kiln docs cli` imports this module for its flags and should not pull in the HCL parser.
  const { loadConfigPath } = await import('../../agent/config.js');
  const config = await loadConfigPath(configPath);
  const roles = (['server', 'client', 'catalog', 'ingress', 'registry'] as const).filter((r) => config[r].enabled);
  const plan = installPlan({ nodePath: process.execPath, kilnBin: KILN_BIN, configPath, user: flags.user === true, roles, ...(flags.unitDir ? { unitDir: resolve(flags.unitDir) } : {}) });
  const next = plan.next.map((c) => `    ${c}\n`).join('');
  if (flags.dryRun) return `# ${plan.unitPath} (dry run: nothing written)\n${plan.unit}\n==> then run:\n${next}`;
  try {
    mkdirSync(resolve(plan.unitPath, '..'), { recursive: true });
    writeFileSync(plan.unitPath, plan.unit, { mode: 0o644 });
  } catch (err) {
    throw new KilnError('CONFIG_INVALID', `cannot write ${plan.unitPath}: ${(err as Error).message}; run as root, use -user for a user unit, or -unit-dir <dir>`, { cause: err });
  }
  return `==> Wrote ${plan.unitPath} (roles: ${roles.join(', ')})\n==> Now run:\n${next}`;
}
