import '../shared/theme.css';
import { startRouter, shell } from '../shared/router.js';
import { installForbiddenBanner, tokensPage } from '../shared/tokens.js';
import { overviewPage, routersPage, servicesPage } from './pages.js';
import { servicePage } from './service.js';

const main = shell('kiln ingress', [['#/overview', 'Overview'], ['#/routers', 'Routers'], ['#/services', 'Services'], ['#/settings/tokens', 'Tokens']]);
installForbiddenBanner(main);
startRouter(main, [
  { pattern: '/overview', page: overviewPage },
  { pattern: '/routers', page: routersPage },
  { pattern: '/services', page: servicesPage },
  { pattern: '/services/:name', page: servicePage },
  { pattern: '/settings/tokens', page: tokensPage('/api/overview') },
], '/overview');
