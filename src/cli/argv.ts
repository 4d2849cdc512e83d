/**
 * Nomad spells long flags with one dash (`-address=http://…`, `-detach`);
 * commander needs two. Rewrite `-word` and `-word=value` to `--word…`, keep
 * single-letter flags (`-f`, `-n 5`, `-n5`) and everything after `--`.
 * For pass-through commands (`alloc exec <alloc> <cmd…>`) a `--` is
 * inserted after their first argument, so the command's own flags reach it.
 */
import type { FlagSpec } from './flags.js';

export function normalizeArgv(args: readonly string[], specs: readonly FlagSpec[], passThroughPaths: readonly (readonly string[])[] = []): string[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: string[] = [];
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const rewritten = rewrite(arg, byName);
    out.push(...rewritten);
    if (arg.startsWith('-')) {
      if (takesSeparateValue(rewritten, byName) && i + 1 < args.length) out.push(args[++i] as string);
      continue;
    }
    if (passThroughPaths.some((p) => p.length === words.length && p.every((w, k) => words[k] === w)) && i + 1 < args.length) {
      // An explicit `--` after the allocation is kept as the separator, not passed to the command.
      out.push(...(args[i + 1] === '--' ? [] : ['--']), ...args.slice(i + 1));
      break;
    }
    words.push(arg);
  }
  return out;
}

/** `--task web` / `-n 5`: the next argument is the flag's value, not a command word. */
function takesSeparateValue(rewritten: readonly string[], byName: Map<string, FlagSpec>): boolean {
  if (rewritten.length !== 1) return false;
  const m = /^-{1,2}([A-Za-z][\w-]*)$/.exec(rewritten[0] as string);
  return m !== null && byName.get(m[1] as string)?.value !== undefined;
}

function rewrite(arg: string, byName: Map<string, FlagSpec>): string[] {
  const m = /^(-{1,2})([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg);
  if (!m) return [arg];
  const [, dashes, word = '', value] = m;
  if (dashes === '-' && word.length === 1 && value !== undefined && byName.get(word)?.negatable) return negatableValue(word, value);
  if (dashes === '-' && word.length === 1) return value === undefined ? [arg] : [`-${word}`, value];
  if (dashes === '-' && isShortWithAttachedValue(word, byName)) return [arg];
  const spec = byName.get(word);
  if (spec && !spec.value && value !== undefined) return booleanValue(word, value);
  return [value === undefined ? `--${word}` : `--${word}=${value}`];
}

/** `-n10`: a short flag that takes a value, with the value attached. */
function isShortWithAttachedValue(word: string, byName: Map<string, FlagSpec>): boolean {
  if (byName.has(word)) return false;
  const short = byName.get(word[0] as string);
  return short?.value !== undefined && /^\d+$/.test(word.slice(1));
}

/** `-i=false` → `--no-i` (flags.ts defines the negation for negatable flags). */
function negatableValue(word: string, value: string): string[] {
  if (/^(true|1|yes)$/i.test(value)) return [`-${word}`];
  if (/^(false|0|no)$/i.test(value)) return [`--no-${word}`];
  return [`-${word}=${value}`];
}

/** Go's flag package accepts `-detach=true`; commander's booleans take no value. */
function booleanValue(word: string, value: string): string[] {
  if (/^(true|1|yes)$/i.test(value)) return [`--${word}`];
  if (/^(false|0|no)$/i.test(value)) return [];
  return [`--${word}=${value}`];
}
