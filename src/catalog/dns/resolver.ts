/**
 * Answers one DNS question from the catalog view, as Consul's DNS interface:
 * `[tag.]name.service[.dc].<domain>`, `_name._tag.service[.dc].<domain>`
 * (RFC 2782, `_tcp` = no tag filter) and `node.node[.dc].<domain>`.
 * Critical instances are left out; warning ones are returned.
 */
import net from 'node:net';
import type { Answer, Question } from 'dns-packet';
import type { CatalogService, Indexed } from '../types.js';
import type { CatalogView } from '../view.js';

export interface DnsAnswer {
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  additionals: Answer[];
}

export interface ResolverOptions {
  domain: string;
  datacenter: string;
}

const TTL = 0;

export class CatalogResolver {
  private readonly domain: string;

  constructor(
    private readonly view: CatalogView,
    private readonly options: ResolverOptions,
  ) {
    this.domain = options.domain.toLowerCase().replace(/^\.+|\.+$/g, '');
  }

  resolve(q: Question): DnsAnswer {
    const type = q.type as string;
    const name = q.name.toLowerCase().replace(/\.+$/, '');
    if (!name.endsWith(`.${this.domain}`)) return nx();
    const labels = name.slice(0, -this.domain.length - 1).split('.');
    if (labels[labels.length - 1] === this.options.datacenter.toLowerCase()) labels.pop();
    const kind = labels.pop();
    if (kind === 'node' && labels.length === 1) return this.node(q, labels[0]!);
    if (kind !== 'service' || labels.length < 1 || labels.length > 2) return nx();
    let [tag, service] = labels.length === 2 ? [labels[0], labels[1]] : [undefined, labels[0]];
    if (labels.length === 2 && labels[0]!.startsWith('_') && labels[1]!.startsWith('_')) {
      service = labels[0]!.slice(1);
      tag = labels[1] === '_tcp' || labels[1] === '_udp' ? undefined : labels[1]!.slice(1);
    }
    return this.service(q, type, service!, tag);
  }

  private service(q: Question, type: string, name: string, tag: string | undefined): DnsAnswer {
    const all = this.instancesNamed(name);
    if (all.length === 0) return nx();
    const healthy = shuffle(
      all.filter((s) => (tag === undefined || s.Tags.some((t) => t.toLowerCase() === tag)) && !this.view.checksOfInstance(s).some((c) => c.Status === 'critical')),
    );
    const out: DnsAnswer = { rcode: 'NOERROR', answers: [], additionals: [] };
    for (const s of healthy) {
      const address = s.Address || this.view.node(s.Node)?.Address || '';
      if (type === 'SRV') {
        const target = s.Address && s.Address !== this.view.node(s.Node)?.Address ? `${hexAddr(s.Address)}.addr.${this.options.datacenter}.${this.domain}` : `${s.Node}.node.${this.options.datacenter}.${this.domain}`;
        out.answers.push({ name: q.name, type: 'SRV', class: 'IN', ttl: TTL, data: { priority: 1, weight: 1, port: s.Port, target } });
        const a = addressRecord(target, address);
        if (a) out.additionals.push(a);
      } else if (type === 'A' || type === 'AAAA' || type === 'ANY') {
        const a = addressRecord(q.name, address);
        if (a && (type === 'ANY' || a.type === type)) out.answers.push(a);
      }
    }
    return out;
  }

  private node(q: Question, name: string): DnsAnswer {
    const n = this.view.allNodes().find((x) => x.Node.toLowerCase() === name);
    if (!n) return nx();
    const a = addressRecord(q.name, n.Address);
    const type = q.type as string;
    return { rcode: 'NOERROR', answers: a && (type === 'ANY' || a.type === type) ? [a] : [], additionals: [] };
  }

  /** DNS names are case-insensitive; catalog names are not. */
  private instancesNamed(name: string): Indexed<CatalogService>[] {
    const exact = this.view.instancesOf(name);
    if (exact.length) return exact;
    return this.view.allServices().filter((s) => s.Service.toLowerCase() === name);
  }
}

function nx(): DnsAnswer {
  return { rcode: 'NXDOMAIN', answers: [], additionals: [] };
}

function addressRecord(name: string, address: string): Answer | undefined {
  if (net.isIPv4(address)) return { name, type: 'A', class: 'IN', ttl: TTL, data: address };
  if (net.isIPv6(address)) return { name, type: 'AAAA', class: 'IN', ttl: TTL, data: address };
  return undefined;
}

/** Consul's `<hex-ip>.addr` target for instances with their own address. */
function hexAddr(address: string): string {
  return net.isIPv4(address) ? address.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('') : address.replace(/:/g, '');
}

function shuffle<T>(list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}
