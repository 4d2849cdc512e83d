import { join } from 'node:path';
import { EtcdStore } from '../../src/state/etcd-store.js';
import { SqliteStore } from '../../src/state/sqlite-store.js';
import { startEtcd } from '../support/etcd.js';
import { tempDir } from '../support/tmp.js';
import { storeContract } from './store-contract.js';

storeContract('SqliteStore', async () => {
  const { dir, cleanup } = tempDir('kiln-contract-');
  const store = await SqliteStore.open(join(dir, 'state.db'));
  return {
    store,
    close: async () => {
      await store.close();
      cleanup();
    },
  };
});

storeContract('EtcdStore', async () => {
  // A fresh etcd per test: revisions are global to an etcd, and the contract pins them from 1.
  const etcd = await startEtcd();
  const store = await EtcdStore.open({ endpoints: [etcd.endpoint] });
  return {
    store,
    close: async () => {
      await store.close();
      await etcd.stop();
    },
  };
});
