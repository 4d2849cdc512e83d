/**
 * Nomad spells long flags with one dash (`-address=http://…`, `-detach`);
 * commander needs two. Rewrite `-word` and `-word=value` to `--word…`, keep
 * single-letter flags (`-f`, `-n 5`, `-n5`) and everything after `--`.
 */
import type { FlagSpec } from './flags.js';

export function normalizeArgv(args: readonly string[], specs: readonly FlagSpec[]): string[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    out.push(...rewrite(arg, byName));
  }
  return out;
}

function rewrite(arg: string, byName: Map<string, FlagSpec>): string[] {
  const m = /^(-{1,2})([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg);
  if (!m) return [arg];
  const [, dashes, word = '', value] = m;
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

/** Go's flag package accepts `-detach=true`; commander's booleans take no value. */
function booleanValue(word: string, value: string): string[] {
  if (/^(true|1|yes)$/i.test(value)) return [`--${word}`];
  if (/^(false|0|no)$/i.test(value)) return [];
  return [`--${word}=${value}`];
}
