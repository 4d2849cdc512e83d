import '../shared/theme.css';
import { installGoShortcuts } from '../shared/keys.js';
import { startRouter, shell } from '../shared/router.js';
import { allocPage } from './alloc.js';
import { clientPage, clientsPage, overviewPage } from './clients.js';
import { evalsPage } from './evals.js';
import { jobPage } from './job.js';
import { jobsPage } from './jobs.js';
import { installForbiddenBanner, tokensPage } from '../shared/tokens.js';

const main = shell('kiln', [['#/jobs', 'Jobs'], ['#/clients', 'Clients'], ['#/topology', 'Cluster'], ['#/evaluations', 'Evaluations'], ['#/settings/tokens', 'Tokens']]);
installForbiddenBanner(main);
startRouter(main, [
  { pattern: '/jobs', page: jobsPage },
  { pattern: '/jobs/:id', page: jobPage },
  { pattern: '/allocations/:id', page: allocPage },
  { pattern: '/clients', page: clientsPage },
  { pattern: '/clients/:id', page: clientPage },
  { pattern: '/topology', page: overviewPage },
  { pattern: '/evaluations', page: evalsPage },
  { pattern: '/settings/tokens', page: tokensPage('/v1/jobs') },
], '/jobs');
installGoShortcuts({ j: '#/jobs', c: '#/clients', t: '#/topology', e: '#/evaluations' });
