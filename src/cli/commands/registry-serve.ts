import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CommandDef } from '../command.js';
import { registryServeSpec } from './specs/image.js';
import { streamLogger } from '../../agent/logger.js';
import { defaultDemoCacheDir, ensureDemoImages } from '../../images/demo/index.js';
import { RegistryAgent } from '../../registry/agent.js';
import { KilnError } from '../../structs/index.js';
import { flagBool, flagOrEnv, registryToken } from './image-flags.js';

export const registryServe: CommandDef = {
  ...registryServeSpec,
  async run(ctx) {
    const dataDir = ctx.flags.str('data-dir') ?? join(homedir(), '.kiln', 'registry');
    const portText = flagOrEnv(ctx, 'port', 'KILN_REGISTRY_PORT') ?? '5000';
    if (!/^\d+$/.test(portText)) throw new KilnError('BAD_REQUEST', `port "${portText}" is not a number; write e.g. -port 5000`);
    const level = (ctx.flags.str('log-level') ?? 'info') as 'debug' | 'info' | 'warn' | 'error';
    const logger = streamLogger('registry', level, { write: (s: string) => ctx.io.stderr.write(s) } as NodeJS.WritableStream);
    const demo = flagBool(ctx, 'demo-images') || ctx.io.env.KILN_REGISTRY_DEMO === '1';
    if (demo) for (const r of await ensureDemoImages(dataDir, { logger, cacheDir: defaultDemoCacheDir() })) ctx.out(`    demo image ${r.name}: ${r.status} ${r.urlPath}${r.error ? ` (${r.error})` : ''}`);
    const agent = await RegistryAgent.create({ dataDir, bindAddr: ctx.flags.str('bind') ?? '127.0.0.1', port: Number(portText), pushToken: registryToken(ctx), logger });
    await agent.start();
    ctx.out(`==> Registry serving ${join(dataDir, 'images')} on ${agent.url}`);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await agent.stop();
    return 0;
  },
};
