import '../shared/theme.css';
import { startRouter, shell } from '../shared/router.js';
import { overviewPage, routersPage, servicesPage } from './pages.js';

const main = shell('kiln ingress', [['#/overview', 'Overview'], ['#/routers', 'Routers'], ['#/services', 'Services']]);
startRouter(main, [
  { pattern: '/overview', page: overviewPage },
  { pattern: '/routers', page: routersPage },
  { pattern: '/services', page: servicesPage },
], '/overview');
