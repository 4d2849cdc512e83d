import '../shared/theme.css';
import { startRouter, shell } from '../shared/router.js';
import { installForbiddenBanner, tokensPage } from '../shared/tokens.js';
import { kvPage } from './kv.js';
import { nodesPage, servicePage, servicesPage } from './services.js';

const main = shell('kiln catalog', [['#/services', 'Services'], ['#/nodes', 'Nodes'], ['#/kv/', 'Key/Value'], ['#/settings/tokens', 'Tokens']]);
installForbiddenBanner(main);
startRouter(main, [
  { pattern: '/services', page: servicesPage },
  { pattern: '/services/:name', page: servicePage },
  { pattern: '/nodes', page: nodesPage },
  { pattern: '/kv/*', page: kvPage },
  { pattern: '/settings/tokens', page: tokensPage('/v1/catalog/services') },
], '/services');
