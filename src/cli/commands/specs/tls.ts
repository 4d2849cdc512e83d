import type { CommandSpec } from '../../command.js';

export const tlsCaCreateSpec: CommandSpec = {
  path: ['tls', 'ca', 'create'],
  args: [],
  summary: 'Create the cluster CA: <domain>-agent-ca.pem and <domain>-agent-ca-key.pem in the current directory',
  details: 'Keep the key file offline after creating the agents\' certificates; every agent and the CLI trust the .pem file (tls { ca_file }, -ca-cert).',
  flags: ['domain', 'days'],
  examples: ['kiln tls ca create', 'kiln tls ca create -domain kiln -days 3650'],
};

export const tlsCertCreateSpec: CommandSpec = {
  path: ['tls', 'cert', 'create'],
  args: [],
  summary: 'Create a certificate signed by the cluster CA: <dc>-<role>-<domain>.pem and -key.pem',
  details:
    'The role is a DNS name in the certificate (server.<dc>.<domain>, client.<dc>.<domain>, cli.<dc>.<domain>) beside localhost and 127.0.0.1; with verify_incoming agents check it per request (a client certificate cannot call a node\'s client API or act as a server). Existing files are kept: a second certificate of a role gets -1, -2 … in its name.',
  flags: ['server', 'client', 'cli', 'dc', 'domain', 'days', 'ca', 'key', 'additional-dnsname', 'additional-ipaddress'],
  examples: ['kiln tls cert create -server', 'kiln tls cert create -client -dc dc1', 'kiln tls cert create -server -additional-ipaddress 10.0.0.5 -additional-dnsname kiln.example.org', 'kiln tls cert create -cli'],
};
