import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandDef } from '../command.js';
import { operatorSnapshotSpec } from './specs/misc.js';
import type { Store } from '../../state/store.js';
import { KilnError } from '../../structs/index.js';

/** The store the snapshot reads or writes: etcd when KILN_ETCD_ENDPOINTS is set, else the agent's SQLite file in -data-dir. */
async function openStore(env: Readonly<Record<string, string | undefined>>, dataDir: string | undefined, mustExist: boolean): Promise<{ store: Store; where: string }> {
  const endpoints = env['KILN_ETCD_ENDPOINTS'];
  if (endpoints) {
    const { EtcdStore } = await import('../../state/etcd-store.js');
    const prefix = env['KILN_ETCD_PREFIX'] ?? '/kiln';
    const list = endpoints.split(',').map((e) => e.trim()).filter(Boolean);
    return { store: await EtcdStore.open({ endpoints: list, prefix }), where: `etcd ${list.join(',')} prefix ${prefix}` };
  }
  if (!dataDir) throw new KilnError('BAD_REQUEST', 'say which store: -data-dir <agent data dir> for the single-node SQLite state, or KILN_ETCD_ENDPOINTS=http://host:2379 for etcd');
  const { SqliteStore } = await import('../../state/sqlite-store.js');
  const path = join(dataDir, 'server', 'state.db');
  if (mustExist && !existsSync(path)) throw new KilnError('BAD_REQUEST', `no server state at ${path}; -data-dir must be the data dir of an agent that ran a server`);
  return { store: await SqliteStore.open(path), where: path };
}

export const operatorSnapshot: CommandDef = {
  ...operatorSnapshotSpec,
  async run(ctx, [action, file]) {
    if (action !== 'save' && action !== 'restore') throw new KilnError('BAD_REQUEST', `unknown action "${action}"; use kiln operator snapshot save <file> or restore <file>`);
    const { saveSnapshot, restoreSnapshot } = await import('../../state/etcd/snapshot.js');
    const { store, where } = await openStore(ctx.io.env, ctx.flags.str('data-dir'), action === 'save');
    try {
      if (action === 'save') {
        const { header, lines } = await saveSnapshot(store);
        await writeFile(file!, lines.join('\n') + '\n', { mode: 0o600 });
        ctx.out(`==> Saved ${header.keys} keys at revision ${header.revision} from ${where} to ${file}`);
      } else {
        const res = await restoreSnapshot(store, await readFile(file!, 'utf8'), file);
        ctx.out(`==> Restored ${res.keys} keys from ${file} into ${where} (now at revision ${res.revision})`);
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
