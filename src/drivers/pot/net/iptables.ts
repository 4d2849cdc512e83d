import { KilnError } from '../../../structs/index.js';
import { runCommand, runChecked } from '../run-command.js';

export type Table = 'nat' | 'filter';

/**
 * iptables through its CLI, always with `-w` (wait for the xtables lock
 * instead of failing when another tool holds it). Rules that belong to a
 * jail carry a comment naming it, which is how they are found and removed.
 */
export class Iptables {
  constructor(private readonly binary = 'iptables') {}

  async ensureChain(table: Table, chain: string): Promise<void> {
    const r = await runCommand(this.binary, ['-w', '-t', table, '-N', chain]);
    if (r.code !== 0 && !/already exists/i.test(r.stderr)) await runChecked(this.binary, ['-w', '-t', table, '-L', chain, '-n'], `cannot create iptables chain ${chain}`);
  }

  async exists(table: Table, chain: string, rule: string[]): Promise<boolean> {
    return (await runCommand(this.binary, ['-w', '-t', table, '-C', chain, ...rule])).code === 0;
  }

  /** Add `rule` unless it is there already; `insert` puts it first (jumps must run before other tools' rules). */
  async ensureRule(table: Table, chain: string, rule: string[], insert = false): Promise<void> {
    if (await this.exists(table, chain, rule)) return;
    await runChecked(this.binary, ['-w', '-t', table, insert ? '-I' : '-A', chain, ...rule], `cannot add an iptables rule to ${table}/${chain}`);
  }

  /** Put `rule` first in `chain` (ahead of a closing DROP). */
  async insert(table: Table, chain: string, rule: string[]): Promise<void> {
    await runChecked(this.binary, ['-w', '-t', table, '-I', chain, '1', ...rule], `cannot add an iptables rule to ${table}/${chain}`);
  }

  async append(table: Table, chain: string, rule: string[]): Promise<void> {
    await runChecked(this.binary, ['-w', '-t', table, '-A', chain, ...rule], `cannot add an iptables rule to ${table}/${chain}`);
  }

  async deleteRule(table: Table, chain: string, rule: string[]): Promise<void> {
    while (await this.exists(table, chain, rule)) await runChecked(this.binary, ['-w', '-t', table, '-D', chain, ...rule], `cannot delete an iptables rule from ${table}/${chain}`);
  }

  /** `iptables -S chain` lines; empty when the chain does not exist. */
  async listRules(table: Table, chain: string): Promise<string[]> {
    const r = await runCommand(this.binary, ['-w', '-t', table, '-S', chain]);
    if (r.code !== 0) return [];
    return r.stdout.split('\n').filter((l) => l.startsWith('-A '));
  }

  /**
   * Delete every rule of `chain` whose comment is exactly `comment`.
   * Idempotent. By rule spec, not by number: numbers shift when another
   * jail's rules are deleted at the same time.
   */
  async deleteByComment(table: Table, chain: string, comment: string): Promise<number> {
    const mine = (await this.listRules(table, chain)).map(splitRule).filter((args) => args[args.indexOf('--comment') + 1] === comment);
    for (const args of mine) {
      const r = await runCommand(this.binary, ['-w', '-t', table, '-D', ...args.slice(1)]);
      if (r.code !== 0 && !/does a matching rule exist|bad rule/i.test(r.stderr)) {
        throw new KilnError('DRIVER_ERROR', `cannot delete an iptables rule from ${table}/${chain}: ${r.stderr.trim()}`);
      }
    }
    return mine.length;
  }

  async flushAndDeleteChain(table: Table, chain: string): Promise<void> {
    await runCommand(this.binary, ['-w', '-t', table, '-F', chain]);
    await runCommand(this.binary, ['-w', '-t', table, '-X', chain]);
  }
}

/** `iptables -S` line → argv (`-A`, chain, …), honouring the double quotes iptables puts around comments. */
export function splitRule(line: string): string[] {
  const args: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) args.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return args;
}
