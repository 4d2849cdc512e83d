import type { CommandSpec } from '../../command.js';

export const catalogNodesSpec: CommandSpec = {
  path: ['catalog', 'nodes'],
  args: [],
  summary: 'List the nodes known to the catalog with their address and health',
  flags: ['json', 'catalog-address'],
  examples: ['kiln catalog nodes'],
};

export const catalogServiceSpec: CommandSpec = {
  path: ['catalog', 'service'],
  args: ['<name>'],
  summary: 'Show the instances of a service: address, port, status and checks',
  details: 'With -verbose, the output of every check is printed under the table.',
  flags: ['json', 'verbose', 'catalog-address'],
  exitCodes: { 0: 'the service has instances', 1: 'error, or no instance of that service is registered' },
  examples: ['kiln catalog service hello-web', 'kiln catalog service -verbose hello-web'],
};

export const catalogServicesSpec: CommandSpec = {
  path: ['catalog', 'services'],
  args: [],
  summary: 'List the services in the catalog with their tags and instance health',
  details: 'Reads the Consul-compatible catalog API at KILN_CATALOG_ADDR, else CONSUL_HTTP_ADDR, else http://127.0.0.1:8500.',
  flags: ['json', 'catalog-address'],
  examples: ['kiln catalog services'],
};
