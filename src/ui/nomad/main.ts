import '../shared/theme.css';
import { installGoShortcuts } from '../shared/keys.js';
import { startRouter, shell } from '../shared/router.js';
import { allocPage } from './alloc.js';
import { clientPage, clientsPage, overviewPage } from './clients.js';
import { evalsPage } from './evals.js';
import { jobPage } from './job.js';
import { jobsPage } from './jobs.js';
import { tokenPage } from './settings.js';

const main = shell('kiln', [['#/jobs', 'Jobs'], ['#/clients', 'Clients'], ['#/topology', 'Cluster'], ['#/evaluations', 'Evaluations'], ['#/settings/tokens', 'Token']]);
startRouter(main, [
  { pattern: '/jobs', page: jobsPage },
  { pattern: '/jobs/:id', page: jobPage },
  { pattern: '/allocations/:id', page: allocPage },
  { pattern: '/clients', page: clientsPage },
  { pattern: '/clients/:id', page: clientPage },
  { pattern: '/topology', page: overviewPage },
  { pattern: '/evaluations', page: evalsPage },
  { pattern: '/settings/tokens', page: tokenPage },
], '/jobs');
installGoShortcuts({ j: '#/jobs', c: '#/clients', t: '#/topology', e: '#/evaluations' });
