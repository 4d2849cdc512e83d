import { ServerAgent, silentLogger } from '../../src/server/index.js';
import { EtcdElection } from '../../src/server/leader/election.js';
import { EtcdStore } from '../../src/state/etcd-store.js';
import { StateView } from '../../src/state/view.js';
import { api, waitFor, type ServerOverrides } from './helpers.js';

/** One ServerAgent in cluster mode: its own etcd client, view and election. */
export interface ClusterServer {
  name: string;
  server: ServerAgent;
  store: EtcdStore;
  view: StateView;
  election: EtcdElection;
  base: string;
  /** Clean stop: resign, stop duties, close. */
  stop(): Promise<void>;
  /** Hard stop: go silent without resigning (keepalives stop, the etcd client closes) as a crashed process would, then stop the HTTP listener. */
  crash(): Promise<void>;
}

export const TEST_TTL_SECONDS = 2;

export async function startClusterServer(endpoint: string, name: string, overrides: ServerOverrides = {}, prefix = '/kiln'): Promise<ClusterServer> {
  const store = await EtcdStore.open({ endpoints: [endpoint], prefix });
  const view = await StateView.create(store);
  const election = new EtcdElection({ store, ttlSeconds: TEST_TTL_SECONDS });
  const server = await ServerAgent.create({ store, view, port: 0, name, logger: silentLogger, election, schedulerWorkers: 1, ...overrides });
  await server.start();
  let stopped = false;
  const finish = async (stopServer: () => Promise<void>): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await stopServer();
    view.close();
    await store.close();
  };
  return {
    name,
    server,
    store,
    view,
    election,
    base: `http://${server.address}`,
    stop: () => finish(() => server.stop()),
    crash: () =>
      finish(async () => {
        // The leader key lives on until its lease expires, as after a SIGKILL.
        await election.stop({ resign: false });
        await store.close();
        await server.stop();
      }),
  };
}

/** Poll until exactly one of the running servers leads and every one reports it on /v1/status/leader. */
export async function agreedLeader(servers: ClusterServer[], timeoutMs = TEST_TTL_SECONDS * 1000 + 8_000): Promise<ClusterServer> {
  return waitFor(
    'one leader that every server reports',
    async () => {
      const leaders = servers.filter((s) => s.election.isLeader());
      if (leaders.length !== 1) return undefined;
      const leader = leaders[0]!;
      for (const s of servers) {
        const res = await api<string>(s.base, 'GET', '/v1/status/leader');
        if (res.body !== leader.server.address) return undefined;
      }
      return leader;
    },
    timeoutMs,
  );
}
