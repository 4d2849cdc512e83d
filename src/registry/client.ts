/** A small HTTP client for a kiln registry: list, push an image with its sidecars, remove. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KilnError } from '../structs/index.js';
import { parseImageFileName } from '../images/naming.js';
import type { RegistryImage } from './catalog.js';

export interface PushResult {
  url: string;
  files: string[];
}

export class RegistryClient {
  readonly base: string;

  constructor(
    address: string,
    private readonly token?: string,
    /** A TLS-speaking fetch for registries that serve HTTPS with the cluster CA. */
    private readonly fetchFn: typeof fetch = fetch,
  ) {
    this.base = (address.startsWith('http') ? address : `http://${address}`).replace(/\/+$/, '');
  }

  private headers(): Record<string, string> {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  private async call(method: string, path: string, body?: BodyInit, extra: Record<string, string> = {}): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}${path}`, { method, body, headers: { ...this.headers(), ...extra }, duplex: 'half' } as RequestInit);
    } catch (e) {
      throw new KilnError('UNAVAILABLE', `registry ${this.base} is unreachable: ${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message}; check -registry / KILN_REGISTRY_ADDR`, { cause: e });
    }
    return res;
  }

  private async fail(res: Response, what: string): Promise<never> {
    const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
    const code = res.status === 404 ? 'NOT_FOUND' : res.status === 401 ? 'BAD_REQUEST' : res.status === 409 ? 'CONFLICT' : res.status >= 500 ? 'UNAVAILABLE' : 'BAD_REQUEST';
    throw new KilnError(code, `${what} failed (HTTP ${res.status}): ${body.error?.message ?? res.statusText}`);
  }

  async list(): Promise<RegistryImage[]> {
    const res = await this.call('GET', '/v1/images');
    if (!res.ok) return this.fail(res, 'listing images');
    return (await res.json()) as RegistryImage[];
  }

  /**
   * Upload `<file>.xz` and the sidecars beside it under `/<path>/`. The old
   * digest goes first and the new one last, so clients never pair a new
   * `.xz` with an old digest.
   */
  async push(xzFile: string, path = ''): Promise<PushResult> {
    const name = basename(xzFile);
    if (!parseImageFileName(name)) throw new KilnError('BAD_REQUEST', `${xzFile} is not named <pot>_<tag>.xz; build it with "kiln image build"`);
    const prefix = path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
    const urlOf = (f: string) => `/${prefix ? `${prefix}/` : ''}${encodeURIComponent(f)}`;
    const del = await this.call('DELETE', urlOf(`${name}.sha256`));
    if (!del.ok && del.status !== 404) return this.fail(del, `replacing ${urlOf(name)}`);
    await del.body?.cancel();
    const files: string[] = [];
    for (const suffix of ['', '.meta', '.sig', '.sha256']) {
      const local = join(dirname(xzFile), name + suffix);
      const st = await stat(local).catch(() => undefined);
      if (!st) {
        if (suffix === '' || suffix === '.sha256') throw new KilnError('NOT_FOUND', `${local} is missing; "kiln image build" writes the .xz and its .sha256 together`);
        continue;
      }
      const res = await this.call('PUT', urlOf(name + suffix), createReadStream(local) as unknown as BodyInit, { 'Content-Type': 'application/octet-stream' });
      if (!res.ok) return this.fail(res, `uploading ${name + suffix}`);
      await res.body?.cancel();
      files.push(urlOf(name + suffix));
    }
    return { url: `${this.base}${urlOf(name)}`, files };
  }

  /** Remove `/<path>/<pot>_<tag>.xz` and its sidecars. */
  async remove(urlPath: string): Promise<string[]> {
    const res = await this.call('DELETE', `/${urlPath.split('/').filter(Boolean).map(encodeURIComponent).join('/')}`);
    if (!res.ok) return this.fail(res, `removing ${urlPath}`);
    return ((await res.json()) as { removed: string[] }).removed;
  }
}
