import type { CommandSpec } from '../../command.js';

export const docsCliSpec: CommandSpec = {
  path: ['docs', 'cli'],
  args: [],
  summary: 'Print docs/cli.md, generated from the command and flag tables',
  offline: true,
  flags: [],
  hidden: true,
  examples: ['node bin/kiln.js docs cli > docs/cli.md'],
};

export const operatorSnapshotSpec: CommandSpec = {
  path: ['operator', 'snapshot'],
  args: ['<action>', '<file>'],
  summary: 'Save the server state to a file, or restore it into an empty store (save|restore)',
  details:
    'Works on both backends: the SQLite file under -data-dir (stop the agent before a restore) or etcd when KILN_ETCD_ENDPOINTS (comma-separated) and optionally KILN_ETCD_PREFIX are set. The file is JSON lines: a header with the revision, then one line per key. Moving a single node into etcd: save with -data-dir, restore with KILN_ETCD_ENDPOINTS.',
  flags: ['data-dir'],
  examples: ['kiln operator snapshot save -data-dir /var/lib/kiln backup.jsonl', 'KILN_ETCD_ENDPOINTS=http://10.0.0.1:2379 kiln operator snapshot restore backup.jsonl'],
};

export const serverMembersSpec: CommandSpec = {
  path: ['server', 'members'],
  args: [],
  summary: 'List the servers of the cluster and which one leads',
  details: 'Asks any server (-address) for the live servers (/v1/status/peers) and the leader (/v1/status/leader). A single server with the embedded store always leads.',
  flags: ['json'],
  examples: ['kiln server members'],
};

export const statusSpec: CommandSpec = {
  path: ['status'],
  args: [],
  summary: 'Cluster summary (leader, servers, nodes, jobs) followed by the job list',
  flags: ['json'],
  examples: ['kiln status'],
};

export const versionSpec: CommandSpec = {
  path: ['version'],
  args: [],
  summary: 'Print the kiln version',
  flags: ['json'],
  offline: true,
  examples: ['kiln version'],
};
