/**
 * Builds the commander program from the command definitions and runs it,
 * returning the exit code instead of exiting (so it can be tested in-process).
 */
import { Command, CommanderError } from 'commander';
import type { KilnClient } from '../api/index.js';
import type * as ClientModule from './client.js';
import { KilnError } from '../structs/index.js';
import type { CliIo, CommandContext, CommandDef } from './command.js';
import { FlagValues } from './command.js';
import { COMMANDS, NOUNS } from './commands/index.js';
import { GLOBAL_FLAGS, addFlags, allFlagSpecs } from './flags.js';
import { normalizeArgv } from './argv.js';
import { formatRelative, formatTimeNs } from './format/time.js';
import { cliErrorText } from './error-text.js';
import { kilnVersion } from './version.js';

export interface RunOptions {
  signal?: AbortSignal;
  commands?: readonly CommandDef[];
}

export async function runCli(argv: readonly string[], io: CliIo, opts: RunOptions = {}): Promise<number> {
  const signal = opts.signal ?? new AbortController().signal;
  let exitCode = 0;
  const commands = opts.commands ?? COMMANDS;
  const args = normalizeArgv(argv, allFlagSpecs(), commands.filter((c) => c.passThroughArgs).map((c) => c.path));
  const program = buildProgram(io, commands, (def, cmd, params) => runDef(def, io, cmd, params, signal).then((code) => void (exitCode = code)));
  try {
    await registerAgent(program, firstCommandWord(args) === 'agent');
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    return reportError(io, err, 1, signal);
  }
}

type Runner = (def: CommandDef, cmd: Command, args: string[]) => Promise<void>;

export function buildProgram(io: CliIo, commands: readonly CommandDef[], runner: Runner): Command {
  const program = new Command('kiln');
  program
    .description('kiln: container orchestration (jobs, allocations, nodes) with Nomad-style commands')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s), outputError: (s, write) => write(cliErrorText(s)) })
    .configureHelp({ showGlobalOptions: true, optionTerm: (o) => o.flags.replace(/--/g, '-') })
    .version(`kiln v${kilnVersion()}`, '--version', 'Print the kiln version');
  addFlags(program, GLOBAL_FLAGS);
  const nouns = new Map<string, Command>();
  for (const def of commands) {
    // Nouns may nest (`kiln tls ca create`): every word but the last is a group command.
    let parent = program;
    for (let i = 0; i < def.path.length - 1; i++) {
      const key = def.path.slice(0, i + 1).join(' ');
      const word = def.path[i] as string;
      const group = nouns.get(key) ?? parent.command(word, { hidden: def.hidden }).description(NOUNS[key] ?? '');
      nouns.set(key, group);
      parent = group;
    }
    const last = def.path[def.path.length - 1] as string;
    const cmd = parent.command(last, { hidden: def.hidden && def.path.length === 1 }).description(def.summary);
    for (const a of def.args) cmd.argument(a);
    addFlags(cmd, def.flags);
    cmd.action(async (...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      // A variadic last argument (`<command...>`) arrives as an array: flatten it into the list.
      await runner(def, self, self.processedArgs.flatMap((a: unknown) => (Array.isArray(a) ? a.map(String) : typeof a === 'string' ? [a] : [])));
    });
  }
  return program;
}

/**
 * The agent pulls in the whole server and client; load it only when asked
 * for, so `kiln job status` starts fast and keeps working when an agent
 * module is broken. Otherwise a stub keeps `agent` in the help listing.
 */
async function registerAgent(program: Command, wanted: boolean): Promise<void> {
  if (wanted) {
    const { registerAgentCommand } = await import('./agent-command.js');
    registerAgentCommand(program);
    return;
  }
  program.command('agent').description('Run a kiln agent (server, client and other roles); see `kiln agent -help`').allowUnknownOption(true);
}

/** The command word (first argument that is not a global flag or its value). */
export function firstCommandWord(args: readonly string[]): string | undefined {
  const withValue = new Set(GLOBAL_FLAGS.map((f) => `--${f}`));
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') return args[i + 1];
    if (withValue.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

async function runDef(def: CommandDef, io: CliIo, cmd: Command, args: string[], signal: AbortSignal): Promise<number> {
  try {
    const clients = def.offline ? undefined : await import('./client.js');
    return await def.run(makeContext(io, cmd, signal, clients), args);
  } catch (err) {
    return reportError(io, err, def.errorExitCode ?? 1, signal);
  }
}

/** Expected errors print one `Error: …` line; only unexpected ones show a stack. */
function reportError(io: CliIo, err: unknown, code: number, signal: AbortSignal): number {
  if (signal.aborted) return 130;
  if (err instanceof KilnError) io.stderr.write(`Error: ${err.message}\n`);
  else io.stderr.write(`Error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return code;
}

/** `clients` is absent for an offline command (it never calls `client()`). */
export function makeContext(io: CliIo, cmd: Command, signal: AbortSignal, clients?: typeof ClientModule): CommandContext {
  const flags = new FlagValues(cmd.optsWithGlobals());
  let client: KilnClient | undefined;
  return {
    io,
    flags,
    signal,
    client: () => {
      if (!clients) throw new Error(`kiln ${cmd.name()} is marked offline (CommandDef.offline) but asked for an API client`);
      return (client ??= clients.cliClient(flags, io.env));
    },
    out: (text = '') => void io.stdout.write(`${text}\n`),
    err: (text) => void io.stderr.write(`${text}\n`),
    json: (value) => void io.stdout.write(`${JSON.stringify(value, null, 4)}\n`),
    time: (ns) => formatTimeNs(ns, io.tzOffsetMinutes),
    ago: (ns) => formatRelative(io.now(), ns),
  };
}
