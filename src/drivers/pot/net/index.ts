import { join } from 'node:path';
import { KilnError } from '../../../structs/index.js';
import { Ipam } from './ipam.js';
import { Iptables } from './iptables.js';
import type { JailLinkNames } from './links.js';
import { bridgePorts, createJailLinks, ensureBridge, jailLinkNames, linkExists, netnsPath, removeBridge, removeJailLinks } from './links.js';
import type { Chains, PortMapping } from './rules.js';
import { bridgeRules, chainsFor, jumpRules, nodeAccessRule, nodeGuardJump, nodeGuardRules, parseDnatRules, portRules, ruleComment } from './rules.js';
import type { Subnet } from './subnet.js';
import { parseSubnet } from './subnet.js';

export type { PortMapping } from './rules.js';
export { parseSubnet } from './subnet.js';
export { jailLinkNames } from './links.js';
export { ruleComment } from './rules.js';

export interface JailNetworkOptions {
  /** Default `kiln0`. */
  bridge?: string;
  /** Default pot's `10.192.0.0/10` (gateway 10.192.0.1). */
  subnet?: string;
  /** Prefix of kiln's iptables chains; default `KILN`. */
  chainPrefix?: string;
  /** Where leases are kept (the driver's state dir). */
  stateDir: string;
}

/** What a jail's network is made of; persisted in the task handle to undo it after an agent restart. */
export interface JailNetState extends Record<string, unknown> {
  ip: string;
  gateway: string;
  netns: string;
  netnsPath: string;
  hostVeth: string;
  mappings: PortMapping[];
}

/**
 * The node's jail network: a bridge with the gateway address, one netns +
 * veth per jail, addresses leased from the subnet, egress NAT, and mapped
 * ports as kernel DNAT rules (node address and 127.0.0.1, no proxy process).
 */
export class JailNetwork {
  readonly bridge: string;
  readonly subnet: Subnet;
  readonly chains: Chains;
  private readonly ipam: Ipam;
  private readonly iptables = new Iptables();
  private nodeReady: Promise<void> | undefined;
  private nodeSetUp = false;

  constructor(opts: JailNetworkOptions) {
    this.bridge = opts.bridge ?? 'kiln0';
    if (this.bridge.length > 15) throw new KilnError('CONFIG_INVALID', `bridge name "${this.bridge}" is longer than 15 characters`);
    this.subnet = parseSubnet(opts.subnet ?? '10.192.0.0/10');
    this.chains = chainsFor(opts.chainPrefix ?? 'KILN');
    this.ipam = new Ipam(join(opts.stateDir, 'leases.json'), this.subnet);
  }

  /** Bridge, sysctls, chains and their jumps; once per process, retried after a failure, and again if the bridge went away. */
  ensureNode(): Promise<void> {
    // Another agent on the same network may have removed the bridge while we had no jails (its Ctrl-C).
    if (this.nodeSetUp && !linkExists(this.bridge)) this.nodeReady = undefined;
    this.nodeReady ??= this.setupNode().then(
      () => void (this.nodeSetUp = true),
      (err: unknown) => {
        this.nodeReady = undefined;
        throw err;
      },
    );
    return this.nodeReady;
  }

  /** Give a jail its address, namespace and port mappings. On failure nothing is left behind. */
  async attach(taskId: string, ports: { label: string; hostPort: number; jailPort: number }[], opts: { nodeAccess?: boolean } = {}): Promise<JailNetState> {
    await this.ensureNode();
    const names = jailLinkNames(taskId);
    const ip = this.ipam.lease(taskId);
    const state: JailNetState = { ip, gateway: this.subnet.gateway, netns: names.netns, netnsPath: netnsPath(names.netns), hostVeth: names.hostVeth, mappings: [] };
    try {
      await removeJailLinks(names); // leftovers of a crashed earlier attempt
      await createJailLinks(names, this.bridge, ip, this.subnet);
      state.mappings = ports.map((p) => ({ ...p, jailIp: ip }));
      for (const m of state.mappings) for (const r of portRules(this.chains, m, ruleComment(taskId))) await this.iptables.append(r.table, r.chain, r.rule);
      if (opts.nodeAccess) await this.iptables.insert('filter', this.chains.input, nodeAccessRule(this.chains, ip, ruleComment(taskId)));
      return state;
    } catch (err) {
      await this.detach(taskId, state).catch(() => undefined);
      throw err;
    }
  }

  /** Remove the jail's rules, veth, namespace and lease. Idempotent; works from a persisted state. */
  async detach(taskId: string, state?: Pick<JailNetState, 'netns' | 'hostVeth'>): Promise<void> {
    const comment = ruleComment(taskId);
    for (const chain of [this.chains.prerouting, this.chains.output]) await this.iptables.deleteByComment('nat', chain, comment);
    await this.iptables.deleteByComment('filter', this.chains.input, comment);
    const names: JailLinkNames = state ? { netns: state.netns, hostVeth: state.hostVeth } : jailLinkNames(taskId);
    await removeJailLinks(names);
    this.ipam.release(taskId);
  }

  /** Every mapped port on this node, like `pot show`'s "Network port redirection". */
  async portRedirections(): Promise<(PortMapping & { taskId: string })[]> {
    const lines = await this.iptables.listRules('nat', this.chains.prerouting);
    return parseDnatRules(lines).map((m) => ({ ...m, taskId: m.comment.replace(/^kiln:/, '') }));
  }

  leases(): Record<string, string> {
    return this.ipam.leases();
  }

  /** Remove the bridge, kiln's chains and their jumps (stopping the stack). Refused while jails hold addresses. */
  async removeNode(): Promise<void> {
    const held = Object.values(this.ipam.leases());
    if (held.length > 0) throw new KilnError('CONFLICT', `jails still hold addresses on ${this.bridge} (${held.join(', ')}); stop them first`);
    // Jails of another agent on the same bridge and chains (a second `agent -dev`): their network stays.
    const others = bridgePorts(this.bridge);
    if (others.length > 0) throw new KilnError('CONFLICT', `bridge ${this.bridge} still carries ${others.length} jail link(s) of another agent (${others.slice(0, 3).join(', ')}); its bridge and chains are left in place`);
    for (const j of [...jumpRules(this.chains), nodeGuardJump(this.chains, this.bridge)]) await this.iptables.deleteRule(j.table, j.chain, j.rule);
    for (const c of [this.chains.prerouting, this.chains.output, this.chains.postrouting]) await this.iptables.flushAndDeleteChain('nat', c);
    await this.iptables.flushAndDeleteChain('filter', this.chains.forward);
    await this.iptables.flushAndDeleteChain('filter', this.chains.input);
    await removeBridge(this.bridge);
    this.nodeReady = undefined;
    this.nodeSetUp = false;
  }

  private async setupNode(): Promise<void> {
    await ensureBridge(this.bridge, this.subnet);
    for (const c of [this.chains.prerouting, this.chains.output, this.chains.postrouting]) await this.iptables.ensureChain('nat', c);
    await this.iptables.ensureChain('filter', this.chains.forward);
    await this.iptables.ensureChain('filter', this.chains.input);
    for (const r of [...bridgeRules(this.chains, this.bridge, this.subnet.cidr), ...nodeGuardRules(this.chains, this.bridge)]) await this.iptables.ensureRule(r.table, r.chain, r.rule);
    for (const j of [...jumpRules(this.chains), nodeGuardJump(this.chains, this.bridge)]) await this.iptables.ensureRule(j.table, j.chain, j.rule, true);
  }
}
