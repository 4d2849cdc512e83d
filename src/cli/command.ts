/**
 * What a CLI command is: a small definition (noun, verb, arguments, flags,
 * docs) and a run function that gets a context and returns an exit code.
 */
import type { KilnClient } from '../api/index.js';
import type { FlagName } from './flags.js';
import { flagKey } from './flags.js';
import { KilnError } from '../structs/index.js';

export interface Writer {
  write(chunk: string | Uint8Array): unknown;
}

export interface CliIo {
  stdout: Writer;
  stderr: Writer;
  env: Readonly<Record<string, string | undefined>>;
  /** Unix ms; replaced in tests. */
  now(): number;
  /** Minutes east of UTC for printed timestamps; defaults to the local zone. */
  tzOffsetMinutes?: number;
}

export interface CommandDef {
  /** `['job', 'run']`, or `['status']` for a top-level command. */
  path: readonly string[];
  /** commander argument syntax: `<file>`, `[job]`. */
  args: readonly string[];
  summary: string;
  /** Longer prose for help and docs. */
  details?: string;
  flags: readonly FlagName[];
  /** Documented exit codes (0 and 1 are implied when absent). */
  exitCodes?: Readonly<Record<number, string>>;
  /** Exit code for an error (Nomad's plan uses 255). */
  errorExitCode?: number;
  examples?: readonly string[];
  hidden?: boolean;
  /**
   * Everything after the first argument belongs to the command, flags
   * included (`kiln alloc exec <alloc> ls -la`), as Go's flag package stops
   * at the first argument: argv.ts inserts `--` there.
   */
  passThroughArgs?: boolean;
  /** Never talks to a kiln server (`kiln version`): the API client is not loaded. */
  offline?: boolean;
  run(ctx: CommandContext, args: readonly string[]): Promise<number>;
}

/** Everything about a command but its code: what help, docs and the parser need. */
export type CommandSpec = Omit<CommandDef, 'run'>;

/** A command whose code is imported only when it runs (`load`). */
export interface LazyCommandDef extends CommandDef {
  load(): Promise<CommandDef>;
}

/**
 * The command table holds specs only, so `kiln version` or `kiln --help`
 * does not load every command's dependencies (fastify, node-forge, semver,
 * ws, …): the implementation module is imported when the command runs.
 */
export function lazyCommand(spec: CommandSpec, load: () => Promise<CommandDef>): LazyCommandDef {
  return { ...spec, load, run: async (ctx, args) => (await load()).run(ctx, args) };
}

/** Flag values as commander parsed them, with typed accessors. */
export class FlagValues {
  constructor(private readonly values: Readonly<Record<string, unknown>>) {}

  bool(name: FlagName): boolean {
    return this.values[flagKey(name)] === true;
  }

  /** A negatable boolean: true (`-x`), false (`-x=false`) or undefined when absent. */
  optBool(name: FlagName): boolean | undefined {
    const v = this.values[flagKey(name)];
    return typeof v === 'boolean' ? v : undefined;
  }

  str(name: FlagName): string | undefined {
    const v = this.values[flagKey(name)];
    return typeof v === 'string' ? v : undefined;
  }

  list(name: FlagName): string[] {
    const v = this.values[flagKey(name)];
    return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
  }

  /** A non-negative integer flag, or `fallback` when absent. */
  int(name: FlagName, fallback: number): number {
    const v = this.str(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v.trim())) throw new KilnError('BAD_REQUEST', `-${name} "${v}" is not a whole number; write e.g. -${name} 10`);
    return Number(v);
  }
}

export interface CommandContext {
  io: CliIo;
  flags: FlagValues;
  /** Created on first use from -address / KILN_ADDR. */
  client(): KilnClient;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  out(text?: string): void;
  err(text: string): void;
  /** Print a value as indented JSON (the `-json` output). */
  json(value: unknown): void;
  /** A Unix-ns time as Nomad prints it: RFC 3339 with the local offset. */
  time(ns: number): string;
  /** A Unix-ns time relative to now: `28m43s ago`. */
  ago(ns: number): string;
}
