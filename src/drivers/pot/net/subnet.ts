import { KilnError } from '../../../structs/index.js';

/** An IPv4 subnet in CIDR form; the gateway (the bridge's address) is its first host. */
export interface Subnet {
  cidr: string;
  network: number;
  prefix: number;
  size: number;
  gateway: string;
}

export function parseSubnet(cidr: string): Subnet {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr.trim());
  const prefix = m ? Number(m[2]) : NaN;
  if (!m || prefix < 8 || prefix > 30) {
    throw new KilnError('CONFIG_INVALID', `jail subnet ${JSON.stringify(cidr)} must be an IPv4 CIDR with a prefix between /8 and /30, e.g. "10.192.0.0/10"`);
  }
  const size = 2 ** (32 - prefix);
  const network = Math.floor(ipToInt(m[1]!) / size) * size;
  return { cidr: `${intToIp(network)}/${prefix}`, network, prefix, size, gateway: intToIp(network + 1) };
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new KilnError('CONFIG_INVALID', `"${ip}" is not an IPv4 address`);
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Host addresses jails may get: not the network, the gateway or the broadcast address. */
export function isAssignable(s: Subnet, ip: number): boolean {
  return ip > s.network + 1 && ip < s.network + s.size - 1;
}
