/** A fetch that sends an ACL token with every request (X-Kiln-Token; the catalog also reads it as X-Consul-Token). */
export function withToken(base: typeof fetch, token: string | undefined): typeof fetch {
  if (!token) return base;
  const tokenFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (!headers.has('x-kiln-token')) headers.set('x-kiln-token', token);
    return base(input, { ...init, headers });
  };
  return tokenFetch as typeof fetch;
}
