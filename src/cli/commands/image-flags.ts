/**
 * Flags the image and registry commands want. Until src/cli/flags.ts lists
 * them, `availableFlags` drops them and the values come from the
 * environment; once FLAGS has them they switch on here with no other change.
 *
 * Specs to add to FLAGS in src/cli/flags.ts:
 *   registry:      flag('registry', { value: 'url', description: 'Image registry address', defaultText: 'http://127.0.0.1:5000', env: ['KILN_REGISTRY_ADDR'] }),
 *   out:           flag('out', { value: 'dir', description: 'Directory the built image files are written to', defaultText: '.' }),
 *   'sign-key':    flag('sign-key', { value: 'file', description: 'ed25519 private key (PEM) to sign the image with', env: ['KILN_IMAGE_SIGN_KEY'] }),
 *   path:          flag('path', { value: 'path', description: 'Directory in the registry to publish under (the image URL is <registry>/<path>)', defaultText: 'the pot name' }),
 *   'demo-images': flag('demo-images', { description: 'Build and publish the demo images (hello, nginx-nomad) on start when missing' }),
 *   port:          flag('port', { value: 'port', description: 'Port to listen on', defaultText: '5000' }),
 * The push token reuses the global -token flag, or KILN_REGISTRY_TOKEN.
 */
import type { CommandContext } from '../command.js';
import { FLAGS, type FlagName } from '../flags.js';

export const availableFlags = (names: readonly string[]): FlagName[] => names.filter((n): n is FlagName => n in FLAGS);

/** A flag's value when the flag exists and was given, else the first set environment variable. */
export function flagOrEnv(ctx: CommandContext, flag: string, ...env: string[]): string | undefined {
  const fromFlag = flag in FLAGS ? ctx.flags.str(flag as FlagName) : undefined;
  if (fromFlag !== undefined) return fromFlag;
  for (const e of env) {
    const v = ctx.io.env[e];
    if (v) return v;
  }
  return undefined;
}

/** A boolean flag's value; false while the flag is not in FLAGS. */
export const flagBool = (ctx: CommandContext, flag: string): boolean => flag in FLAGS && ctx.flags.bool(flag as FlagName);

export const registryAddress = (ctx: CommandContext): string => flagOrEnv(ctx, 'registry', 'KILN_REGISTRY_ADDR') ?? 'http://127.0.0.1:5000';

/** The push token: -token (global), then KILN_REGISTRY_TOKEN. */
export const registryToken = (ctx: CommandContext): string | undefined => ctx.flags.str('token') ?? ctx.io.env.KILN_REGISTRY_TOKEN ?? undefined;
