/**
 * A fetch that sends an ACL token (X-Kiln-Token; the catalog also reads it
 * as X-Consul-Token) — with `origins`, only to those origins, so a token
 * never leaks to a third-party server (an image URL outside the cluster).
 */
export function withToken(base: typeof fetch, token: string | undefined, origins?: string[]): typeof fetch {
  if (!token) return base;
  const tokenFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    if (origins && !origins.includes(new URL(url).origin)) return base(input, init);
    const headers = new Headers(init.headers);
    if (!headers.has('x-kiln-token')) headers.set('x-kiln-token', token);
    return base(input, { ...init, headers });
  };
  return tokenFetch as typeof fetch;
}
