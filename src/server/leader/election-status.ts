import type { FastifyInstance } from 'fastify';
import type { LeaderElection } from './election.js';

/**
 * With an election, /v1/status/leader and /v1/status/peers answer from etcd
 * (the leader key and the member keys) instead of "this server". Answered in
 * an onRequest hook so the single-server status routes stay as they are.
 */
export function registerElectionStatus(app: FastifyInstance, election: LeaderElection): void {
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0];
    if (req.method !== 'GET') return;
    if (path === '/v1/status/leader') {
      const leader = await election.leader();
      // Nomad answers a bare JSON string; "" while no leader is elected.
      return reply.type('application/json').send(JSON.stringify(leader?.address ?? ''));
    }
    if (path === '/v1/status/peers') {
      const peers = await election.peers();
      return reply.send(peers.map((p) => p.address).sort());
    }
  });
}
