import { createHash } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { runCommand, runChecked } from '../run-command.js';
import type { Subnet } from './subnet.js';

/** The names of one jail's network objects, derived from its task id. */
export interface JailLinkNames {
  netns: string;
  /** Host side of the veth pair (max 15 characters, as the kernel requires). */
  hostVeth: string;
}

export function jailLinkNames(taskId: string): JailLinkNames {
  const hash = createHash('sha256').update(taskId).digest('hex').slice(0, 10);
  const readable = taskId.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 180);
  return { netns: `kiln-${readable}`, hostVeth: `kv${hash}` };
}

export const netnsPath = (netns: string): string => `/run/netns/${netns}`;

export const linkExists = (name: string): boolean => existsSync(`/sys/class/net/${name}`);

/** The links enslaved to a bridge (jails' host-side veths), from sysfs. */
export function bridgePorts(bridge: string): string[] {
  const dir = `/sys/class/net/${bridge}/brif`;
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** The bridge with the gateway address, forwarding on, 127.0.0.1 routable to jails. Idempotent. */
export async function ensureBridge(bridge: string, subnet: Subnet): Promise<void> {
  if (!linkExists(bridge)) {
    const r = await runCommand('ip', ['-batch', '-'], { input: `link add ${bridge} type bridge\n` });
    if (r.code !== 0 && !/exists/i.test(r.stderr)) await runChecked('ip', ['link', 'add', bridge, 'type', 'bridge'], `cannot create bridge ${bridge}`);
  }
  const addr = await runCommand('ip', ['-o', '-4', 'addr', 'show', 'dev', bridge]);
  if (!addr.stdout.includes(` ${subnet.gateway}/`)) {
    await runChecked('ip', ['addr', 'add', `${subnet.gateway}/${subnet.prefix}`, 'dev', bridge], `cannot give bridge ${bridge} its gateway address`);
  }
  await runChecked('ip', ['link', 'set', bridge, 'up'], `cannot bring bridge ${bridge} up`);
  // Without forwarding, mapped ports work from the node itself but not from other machines, and jails have no egress.
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
  // Lets OUTPUT-DNAT'd packets from 127.0.0.1 leave through the bridge (mapped ports on localhost, no tunnel process).
  writeFileSync(`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`, '1');
}

export async function removeBridge(bridge: string): Promise<void> {
  if (linkExists(bridge)) await runChecked('ip', ['link', 'del', bridge], `cannot delete bridge ${bridge}`);
}

/** A network namespace with `eth0` (veth to the bridge) at `ip` and a default route through the gateway. */
export async function createJailLinks(names: JailLinkNames, bridge: string, ip: string, subnet: Subnet): Promise<void> {
  const peer = `${names.hostVeth}p`;
  await runChecked(
    'ip',
    ['-batch', '-'],
    `cannot create the network of jail ${names.netns}`,
    { input: [`netns add ${names.netns}`, `link add ${names.hostVeth} type veth peer name ${peer} netns ${names.netns}`, `link set ${names.hostVeth} master ${bridge}`, `link set ${names.hostVeth} up`, ''].join('\n') },
  );
  await runChecked('ip', ['-n', names.netns, '-batch', '-'], `cannot configure the network of jail ${names.netns}`, {
    input: [`link set ${peer} name eth0`, `addr add ${ip}/${subnet.prefix} dev eth0`, 'link set eth0 up', 'link set lo up', `route add default via ${subnet.gateway}`, ''].join('\n'),
  });
}

/** Delete the veth (its peer goes with it) and the namespace. Idempotent. */
export async function removeJailLinks(names: JailLinkNames): Promise<void> {
  if (linkExists(names.hostVeth)) await runChecked('ip', ['link', 'del', names.hostVeth], `cannot delete veth ${names.hostVeth}`);
  if (existsSync(netnsPath(names.netns))) await runChecked('ip', ['netns', 'del', names.netns], `cannot delete network namespace ${names.netns}`);
}
