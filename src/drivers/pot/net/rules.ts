/**
 * The iptables rules of kiln's jail network, as argv lists. Pure, so the
 * exact rules are tested without touching the kernel.
 */
export interface Chains {
  prerouting: string;
  output: string;
  postrouting: string;
  forward: string;
  /** filter: traffic from jails to the node itself (agent APIs). */
  input: string;
}

export const chainsFor = (prefix: string): Chains => ({
  prerouting: `${prefix}-PREROUTING`,
  output: `${prefix}-OUTPUT`,
  postrouting: `${prefix}-POSTROUTING`,
  forward: `${prefix}-FORWARD`,
  input: `${prefix}-INPUT`,
});

/**
 * Jails may not open connections to the node itself (agent APIs, the
 * catalog, SSH, anything listening on the node or 127.0.0.1 via the
 * gateway): the node's INPUT sends the bridge's traffic through this chain
 * first; answers to connections the node opened (health checks, the
 * ingress, mapped ports) are established and pass. A task with the pot
 * attribute `node-access:YES` gets an ACCEPT for its address ahead of the drop.
 */
export function nodeGuardRules(c: Chains, bridge: string): { table: 'filter'; chain: string; rule: string[]; insert?: boolean }[] {
  const tag = ['-m', 'comment', '--comment', `kiln-bridge:${bridge}`];
  return [
    { table: 'filter', chain: c.input, rule: ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', ...tag, '-j', 'ACCEPT'] },
    { table: 'filter', chain: c.input, rule: [...tag, '-j', 'DROP'] },
  ];
}

/** The jump from the node's INPUT into the guard chain, first in INPUT so no other tool's ACCEPT runs before it. */
export const nodeGuardJump = (c: Chains, bridge: string): { table: 'filter'; chain: string; rule: string[] } => ({ table: 'filter', chain: 'INPUT', rule: ['-i', bridge, '-j', c.input] });

/** A task allowed to reach the node (`node-access:YES`): accepted before the drop. */
export const nodeAccessRule = (c: Chains, jailIp: string, comment: string): string[] => ['-s', jailIp, '-m', 'comment', '--comment', comment, '-j', 'ACCEPT'];

/** Jumps from the built-in chains into kiln's own; `table`, `chain`, rule. */
export function jumpRules(c: Chains): { table: 'nat' | 'filter'; chain: string; rule: string[] }[] {
  return [
    // Traffic to any local address (node address, 127.0.0.1) may be a mapped port.
    { table: 'nat', chain: 'PREROUTING', rule: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.prerouting] },
    { table: 'nat', chain: 'OUTPUT', rule: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.output] },
    { table: 'nat', chain: 'POSTROUTING', rule: ['-j', c.postrouting] },
    { table: 'filter', chain: 'FORWARD', rule: ['-j', c.forward] },
  ];
}

/** Rules of one bridge: egress NAT, host-originated traffic into jails, forwarding allowed. */
export function bridgeRules(c: Chains, bridge: string, subnet: string): { table: 'nat' | 'filter'; chain: string; rule: string[] }[] {
  const tag = ['-m', 'comment', '--comment', `kiln-bridge:${bridge}`];
  return [
    { table: 'nat', chain: c.postrouting, rule: ['-s', subnet, '!', '-o', bridge, ...tag, '-j', 'MASQUERADE'] },
    // 127.0.0.1 → jail after DNAT in OUTPUT: the jail must answer to an address it can route back to.
    { table: 'nat', chain: c.postrouting, rule: ['-o', bridge, '-m', 'addrtype', '--src-type', 'LOCAL', ...tag, '-j', 'MASQUERADE'] },
    { table: 'filter', chain: c.forward, rule: ['-i', bridge, ...tag, '-j', 'ACCEPT'] },
    { table: 'filter', chain: c.forward, rule: ['-o', bridge, ...tag, '-j', 'ACCEPT'] },
  ];
}

export interface PortMapping {
  label: string;
  hostPort: number;
  jailIp: string;
  jailPort: number;
}

/** DNAT of one mapped port, for packets from elsewhere (PREROUTING) and from the node itself (OUTPUT). */
export function portRules(c: Chains, m: PortMapping, comment: string): { table: 'nat'; chain: string; rule: string[] }[] {
  const rule = ['-p', 'tcp', '--dport', String(m.hostPort), '-m', 'comment', '--comment', comment, '-j', 'DNAT', '--to-destination', `${m.jailIp}:${m.jailPort}`];
  return [
    { table: 'nat', chain: c.prerouting, rule },
    { table: 'nat', chain: c.output, rule },
  ];
}

/** The comment that marks a task's rules: `kiln:<alloc id>/<task>` (characters iptables keeps as-is). */
export const ruleComment = (taskId: string): string => `kiln:${taskId.replace(/[^A-Za-z0-9_.:/-]/g, '_')}`.slice(0, 250);

/** Parse the DNAT rules of a chain (`iptables -S`) back into mappings, for `pot show`-like listings. */
export function parseDnatRules(lines: string[]): (PortMapping & { comment: string })[] {
  const out: (PortMapping & { comment: string })[] = [];
  for (const line of lines) {
    const port = /--dport (\d+)/.exec(line);
    const dest = /--to-destination ([\d.]+):(\d+)/.exec(line);
    const comment = /--comment "?([^"\s]+)"?/.exec(line);
    if (port && dest) out.push({ label: '', hostPort: Number(port[1]), jailIp: dest[1]!, jailPort: Number(dest[2]), comment: comment?.[1] ?? '' });
  }
  return out;
}
