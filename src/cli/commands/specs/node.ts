import type { CommandSpec } from '../../command.js';

export const nodeDrainSpec: CommandSpec = {
  path: ['node', 'drain'],
  args: ['<node>'],
  summary: 'Move every allocation off a node (-enable) or cancel a drain (-disable)',
  details:
    'A drain makes the node ineligible and migrates its allocations to other nodes, each group migrate.max_parallel at a time, ' +
    'the next once the replacements are healthy; at the deadline whatever is left is stopped. Batch allocations may finish until the deadline; ' +
    'system allocations leave last (or stay, with -ignore-system). Without -detach the command follows the drain until it completes; ' +
    'Ctrl-C stops following, not the drain. The node stays ineligible afterwards: kiln node eligibility -enable makes it eligible again.',
  flags: ['enable', 'disable', 'deadline', 'no-deadline', 'force', 'ignore-system', 'mark-eligible', 'yes', 'detach'],
  exitCodes: { 0: 'drain set (and, when followed, complete)', 1: 'error, or the drain was cancelled while followed' },
  examples: ['kiln node drain -enable -yes c375b833', 'kiln node drain -enable -deadline 10m -ignore-system -detach c375b833', 'kiln node drain -disable -mark-eligible c375b833'],
};

export const nodeEligibilitySpec: CommandSpec = {
  path: ['node', 'eligibility'],
  args: ['<node>'],
  summary: 'Allow (-enable) or stop (-disable) new placements on a node',
  flags: ['enable', 'disable'],
  examples: ['kiln node eligibility -disable c375b833'],
};

export const nodePortsSpec: CommandSpec = {
  path: ['node', 'ports'],
  args: ['<node>'],
  summary: "List a node's port redirections: host port → jail address (like `pot show`)",
  details: 'Asks the node\'s client agent (its HTTP address from the node record) for the kernel port mappings of its pot jails.',
  flags: ['json', 'verbose'],
  examples: ['kiln node ports c375b833'],
};

export const nodeStatusSpec: CommandSpec = {
  path: ['node', 'status'],
  args: ['[node]'],
  summary: 'List client nodes, or show one node with its drivers, resources, allocations and attributes',
  details: "-self shows the node of the agent that answers (-address), read from its /v1/agent/self (stats.client.node_id); an agent without a client role has none.",
  flags: ['json', 'verbose', 'self'],
  examples: ['kiln node status', 'kiln node status c375b833', 'kiln node status -self'],
};
