import '../shared/theme.css';
import { startRouter, shell } from '../shared/router.js';
import { kvPage } from './kv.js';
import { nodesPage, servicePage, servicesPage } from './services.js';

const main = shell('kiln catalog', [['#/services', 'Services'], ['#/nodes', 'Nodes'], ['#/kv/', 'Key/Value']]);
startRouter(main, [
  { pattern: '/services', page: servicesPage },
  { pattern: '/services/:name', page: servicePage },
  { pattern: '/nodes', page: nodesPage },
  { pattern: '/kv/*', page: kvPage },
], '/services');
