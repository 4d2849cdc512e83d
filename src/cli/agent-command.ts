import type { Command } from 'commander';
import { Agent, devConfig, loadConfigPath, type AgentConfig } from '../agent/index.js';
import { aclEnabled } from '../agent/config.js';
import { KilnError } from '../structs/index.js';
import { addFlags, type FlagName } from './flags.js';
import { registerAgentInstall } from './commands/agent-install.js';
import { listenForAgentSignals } from './agent-signals.js';

interface AgentFlags {
  dev?: boolean;
  dataDir?: string;
  config?: string;
  bind?: string;
  httpPort?: string;
  logLevel?: string;
}

/** `kiln agent -dev | -config FILE`: run the roles in this process until SIGINT/SIGTERM; SIGHUP reloads TLS certificates. */
export function registerAgentCommand(program: Command): void {
  const cmd = program
    .command('agent')
    .description('Run a kiln agent: -dev holds every role (server, client) with the embedded store; -config starts the roles a file names');
  addFlags(cmd, AGENT_FLAGS);
  registerAgentInstall(cmd);
  cmd.action(async (flags: AgentFlags) => {
      const config = await agentConfigFromFlags(flags);
      await runAgent(config);
    });
}

/** The agent's flags, from the CLI's one flag table. */
export const AGENT_FLAGS: readonly FlagName[] = ['dev', 'data-dir', 'config', 'bind', 'http-port', 'log-level'];

export async function agentConfigFromFlags(flags: AgentFlags): Promise<AgentConfig> {
  if (!flags.dev && !flags.config) {
    throw new KilnError('CONFIG_INVALID', 'kiln agent needs -dev (single-node stack) or -config <file>; see `kiln agent --help`');
  }
  const httpPort = flags.httpPort !== undefined ? Number(flags.httpPort) : undefined;
  if (httpPort !== undefined && (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535)) {
    throw new KilnError('CONFIG_INVALID', `-http-port "${flags.httpPort}" is not a port number (0-65535)`);
  }
  // -dev with -config: the dev stack, with the file's settings on top (as `nomad agent -dev -config`).
  const dev = flags.dev ? devConfig({ dataDir: flags.dataDir, bindAddr: flags.bind, httpPort }) : undefined;
  const config = flags.config ? await loadConfigPath(flags.config, dev) : dev!;
  if (flags.dataDir) config.dataDir = flags.dataDir;
  if (flags.bind) config.bindAddr = flags.bind;
  if (httpPort !== undefined) config.ports.http = httpPort;
  if (flags.logLevel) config.logLevel = flags.logLevel.toLowerCase() as AgentConfig['logLevel'];
  return config;
}

async function runAgent(config: AgentConfig): Promise<void> {
  const out = process.stdout;
  out.write('==> kiln agent configuration:\n\n');
  const rows: [string, string][] = [
    ['Bind Addr', config.bindAddr],
    ['HTTP Port', String(config.ports.http)],
    ['Datacenter', config.datacenter],
    ['Region', config.region],
    ['Data Dir', config.dataDir],
    ['Server', String(config.server.enabled)],
    ['Client', String(config.client.enabled)],
    ['Dev Mode', String(config.dev)],
    ['ACLs', aclEnabled(config) ? 'enabled (kiln acl bootstrap once, then -token / KILN_TOKEN)' : 'disabled'],
  ];
  for (const [k, v] of rows) out.write(`${k.padStart(16)}: ${v}\n`);
  const signals = listenForAgentSignals(out);
  const agent = await Agent.create(config);
  // As `nomad agent`: SIGHUP reloads the TLS certificates; the agent keeps running either way.
  signals.onHangup(() => {
    out.write('==> caught SIGHUP, reloading TLS certificates\n');
    agent.reload();
  });
  await agent.start();
  if (!signals.stopping) printStarted(out, agent);
  const signal = await signals.stopRequested;
  out.write(`==> caught ${signal}, stopping the agent${config.dev ? ' and its dev tasks' : ''}…\n`);
  await agent.stop().catch((err: unknown) => process.stderr.write(`error while stopping: ${(err as Error).message}\n`));
  signals.dispose();
  out.write('==> kiln agent stopped\n');
}

function printStarted(out: NodeJS.WritableStream, agent: Agent): void {
  const a = agent.addresses;
  const listeners: [string, string | undefined][] = [
    ['API + UI', a.http && `${agent.scheme}://${a.http}`],
    ['Catalog', a.catalog && `${agent.scheme}://${a.catalog} (DNS ${a.dns})`],
    ['Ingress', a.ingress && `http://${a.ingress}`],
    ['Ingress TLS', a.ingressTls && `https://${a.ingressTls}`],
    ['Dashboard', a.dashboard && `${agent.scheme}://${a.dashboard}`],
    ['Registry', a.registry && `${agent.scheme}://${a.registry}`],
  ];
  out.write('\n');
  for (const [k, v] of listeners) if (v) out.write(`${k.padStart(16)}: ${v}\n`);
  out.write(`\n==> kiln agent started on ${agent.scheme}://${agent.address}! Log data will stream in below:\n\n`);
}
