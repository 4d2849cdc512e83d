/**
 * Where the CLI finds its server: `-address` flag > KILN_ADDR > NOMAD_ADDR >
 * http://127.0.0.1:4646. A comma-separated value lists servers to fail over between.
 */
export const DEFAULT_ADDRESS = 'http://127.0.0.1:4646';

export type Env = Readonly<Record<string, string | undefined>>;

export function resolveAddresses(flag: string | undefined, env: Env): string[] {
  const raw = firstSet(flag, env.KILN_ADDR, env.NOMAD_ADDR) ?? DEFAULT_ADDRESS;
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return list.length > 0 ? list : [DEFAULT_ADDRESS];
}

export function resolveToken(flag: string | undefined, env: Env): string | undefined {
  return firstSet(flag, env.KILN_TOKEN, env.NOMAD_TOKEN);
}

export function resolveNamespace(flag: string | undefined, env: Env): string | undefined {
  return firstSet(flag, env.KILN_NAMESPACE, env.NOMAD_NAMESPACE);
}

function firstSet(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => v !== undefined && v.trim() !== '');
}
