/**
 * The one table of CLI flags. Commands name the flags they take; commander
 * options, help text and the flag tables in docs/cli.md are all generated
 * from here. Nomad spells long flags with one dash (`-address`); argv.ts
 * rewrites them for commander, so both spellings work.
 */
import { Option } from 'commander';
import type { Command } from 'commander';

export interface FlagSpec {
  /** Long name without dashes; a single letter is a short-only flag (`-f`). */
  name: string;
  /** Placeholder of the value; absent for boolean flags. */
  value?: string;
  description: string;
  /** Default shown in help and docs (the code applies it). */
  defaultText?: string;
  /** Environment variables consulted when the flag is absent, in order. */
  env?: string[];
  /** A boolean that can be turned off explicitly (`-i=false`), for flags that default to on or to "auto". */
  negatable?: boolean;
  /** May be given several times; the values are collected in order (read with FlagValues.list). */
  repeatable?: boolean;
}

const flag = <const N extends string>(name: N, rest: Omit<FlagSpec, 'name'>): FlagSpec & { name: N } => ({ name, ...rest });

export const FLAGS = {
  address: flag('address', {
    value: 'addr',
    description: 'HTTP address of a kiln server; a comma-separated list fails over in order',
    defaultText: 'http://127.0.0.1:4646',
    env: ['KILN_ADDR', 'NOMAD_ADDR'],
  }),
  token: flag('token', { value: 'token', description: 'ACL token sent with every request', env: ['KILN_TOKEN', 'NOMAD_TOKEN'] }),
  namespace: flag('namespace', { value: 'ns', description: 'Namespace of jobs and allocations', defaultText: 'default', env: ['KILN_NAMESPACE', 'NOMAD_NAMESPACE'] }),
  json: flag('json', { description: 'Print the raw API JSON instead of formatted output' }),
  verbose: flag('verbose', { description: 'Show full IDs and extra detail' }),
  detach: flag('detach', { description: 'Return right after submitting, printing the evaluation ID, instead of monitoring it' }),
  timeout: flag('timeout', { value: 'duration', description: 'How long to wait for placed allocations to be running (0 = do not wait)', defaultText: '5m' }),
  purge: flag('purge', { description: 'Remove the job from the system instead of only stopping it' }),
  all: flag('all', { description: 'Include allocations of earlier job versions' }),
  p: flag('p', { description: 'Show the diff between each version and the one before it' }),
  f: flag('f', { description: 'Follow the log: keep streaming until Ctrl-C' }),
  stderr: flag('stderr', { description: 'Show the stderr log' }),
  stdout: flag('stdout', { description: 'Show the stdout log (the default unless -f, which follows both)' }),
  tail: flag('tail', { description: 'Start from the end of the log (the last 10 lines unless -n or -c)' }),
  n: flag('n', { value: 'lines', description: 'With -tail, how many lines to show', defaultText: '10' }),
  c: flag('c', { value: 'bytes', description: 'With -tail, how many bytes to show' }),
  enable: flag('enable', { description: 'Turn on: eligibility for new placements (node eligibility) or a drain (node drain)' }),
  disable: flag('disable', { description: 'Turn off: eligibility (running allocations stay, nothing new is placed) or a drain (cancel it)' }),
  deadline: flag('deadline', { value: 'duration', description: 'node drain: how long allocations may take to move before whatever is left is stopped', defaultText: '1h' }),
  'no-deadline': flag('no-deadline', { description: 'node drain: no deadline; wait as long as migrations take' }),
  force: flag('force', { description: 'node drain: stop every allocation at once, without migrating them one by one' }),
  'ignore-system': flag('ignore-system', { description: 'node drain: leave system jobs\' allocations on the node' }),
  self: flag('self', { description: 'node status: show the node of the agent answering (-address), when it runs a client' }),
  'mark-eligible': flag('mark-eligible', { description: 'node drain -disable: make the node eligible for placements again' }),
  yes: flag('yes', { description: 'Do not ask for confirmation' }),
  'batch-size': flag('batch-size', { value: 'n', description: 'job restart: allocations restarted at a time', defaultText: 'the group\'s update max_parallel, or 1' }),
  job: flag('job', { value: 'job', description: 'Only evaluations of this job' }),
  status: flag('status', { value: 'status', description: 'Only evaluations with this status' }),
  // `kiln agent` flags (the command lives in agent-command.ts); listed here so argv rewriting and docs know them.
  dev: flag('dev', { description: 'Start every role in one process, datacenter "minipot", state kept in -data-dir' }),
  'data-dir': flag('data-dir', { value: 'path', description: 'Directory for the agent state', defaultText: '~/.kiln/dev with -dev' }),
  config: flag('config', { value: 'file', description: 'Agent configuration file or directory (HCL or JSON)' }),
  bind: flag('bind', { value: 'addr', description: 'Address to listen on', defaultText: '127.0.0.1 with -dev' }),
  'http-port': flag('http-port', { value: 'port', description: 'HTTP API port', defaultText: '4646' }),
  'log-level': flag('log-level', { value: 'level', description: 'debug, info, warn or error' }),
  registry: flag('registry', { value: 'url', description: 'Image registry address', defaultText: 'http://127.0.0.1:5000', env: ['KILN_REGISTRY_ADDR'] }),
  out: flag('out', { value: 'dir', description: 'Directory the built image files are written to', defaultText: '.' }),
  'sign-key': flag('sign-key', { value: 'file', description: 'ed25519 private key (PEM) to sign the image with', env: ['KILN_IMAGE_SIGN_KEY'] }),
  path: flag('path', { value: 'path', description: 'Directory in the registry to publish under (the image URL is <registry>/<path>)', defaultText: 'the pot name' }),
  'demo-images': flag('demo-images', { description: 'Build and publish the demo images (hello, nginx-nomad) on start when missing' }),
  port: flag('port', { value: 'port', description: 'Port to listen on', defaultText: '5000' }),
  i: flag('i', { description: 'Pass stdin to the command (-i=false to not read stdin)', defaultText: 'true', negatable: true }),
  t: flag('t', { description: 'Give the command a pseudo-terminal (-t=false to not)', defaultText: 'true when stdin is a terminal', negatable: true }),
  task: flag('task', { value: 'task', description: 'The task (alloc exec: to run the command beside, alloc logs: whose log, needed when the allocation has several tasks; job logs: only this task\'s log)' }),
  e: flag('e', { value: 'char', description: "Escape character for terminal sessions: <char>. at the start of a line ends the session; 'none' disables it", defaultText: '~' }),
  'ca-cert': flag('ca-cert', { value: 'file', description: 'CA certificate (PEM) to verify the server with; turns on HTTPS for the default address', env: ['KILN_CACERT', 'NOMAD_CACERT'] }),
  'client-cert': flag('client-cert', { value: 'file', description: 'Client certificate (PEM) for servers with verify_incoming (kiln tls cert create -cli)', env: ['KILN_CLIENT_CERT', 'NOMAD_CLIENT_CERT'] }),
  'client-key': flag('client-key', { value: 'file', description: 'Private key (PEM) of -client-cert', env: ['KILN_CLIENT_KEY', 'NOMAD_CLIENT_KEY'] }),
  domain: flag('domain', { value: 'domain', description: 'Last label of the role names in certificates (server.<dc>.<domain>)', defaultText: 'kiln' }),
  days: flag('days', { value: 'days', description: 'Days the certificate is valid', defaultText: '1825 for a CA, 365 for a certificate' }),
  server: flag('server', { description: 'A server certificate (server.<dc>.<domain>, server and client auth)' }),
  client: flag('client', { description: 'A client agent certificate (client.<dc>.<domain>, server and client auth)' }),
  cli: flag('cli', { description: 'A CLI certificate (cli.<dc>.<domain>, client auth only)' }),
  dc: flag('dc', { value: 'datacenter', description: 'Datacenter in the role name', defaultText: 'dc1' }),
  ca: flag('ca', { value: 'file', description: 'CA certificate to sign with', defaultText: '<domain>-agent-ca.pem' }),
  key: flag('key', { value: 'file', description: 'CA private key to sign with', defaultText: '<domain>-agent-ca-key.pem' }),
  'additional-dnsname': flag('additional-dnsname', { value: 'name', description: 'Extra DNS name in the certificate (repeatable)', repeatable: true }),
  'additional-ipaddress': flag('additional-ipaddress', { value: 'ip', description: 'Extra IP address in the certificate (repeatable)', repeatable: true }),
  'catalog-address': flag('catalog-address', { value: 'addr', description: 'HTTP address of the service catalog', defaultText: 'http://127.0.0.1:8500', env: ['KILN_CATALOG_ADDR', 'CONSUL_HTTP_ADDR'] }),
  meta: flag('meta', { value: 'key=value', description: 'Meta data for the dispatched job (NOMAD_META_<key> in its tasks); repeat for several keys', repeatable: true }),
  name: flag('name', { value: 'name', description: 'Human-readable name of the ACL token' }),
  type: flag('type', { value: 'type', description: 'ACL token type: client (rights from its policies) or management (every right)', defaultText: 'client' }),
  policy: flag('policy', { value: 'name', description: 'ACL policy the token gets (repeatable)', repeatable: true }),
  description: flag('description', { value: 'text', description: 'Description of the ACL policy' }),
  // `kiln agent install` (src/cli/commands/agent-install.ts)
  user: flag('user', { description: 'A user unit (~/.config/systemd/user, systemctl --user) instead of a system one' }),
  'unit-dir': flag('unit-dir', { value: 'dir', description: 'Directory to write the unit into', defaultText: '/etc/systemd/system, or ~/.config/systemd/user with -user' }),
  'dry-run': flag('dry-run', { description: 'Print what would be written and done; change nothing' }),
} as const;

export type FlagName = keyof typeof FLAGS;

/** Flags every command understands; defined once on the program. */
export const GLOBAL_FLAGS: readonly FlagName[] = ['address', 'token', 'namespace', 'ca-cert', 'client-cert', 'client-key'];

export const allFlagSpecs = (): FlagSpec[] => Object.values(FLAGS);

/** The commander flags string: `--address <addr>` or `-n <lines>`. */
export function commanderFlags(spec: FlagSpec): string {
  const dashes = spec.name.length === 1 ? '-' : '--';
  return `${dashes}${spec.name}${spec.value ? ` <${spec.value}>` : ''}`;
}

/** Nomad's spelling for help and docs: `-address <addr>`. */
export function nomadFlags(spec: FlagSpec): string {
  return `-${spec.name}${spec.value ? ` <${spec.value}>` : ''}`;
}

/** Description with default and environment, as help and docs print it. */
export function flagHelp(spec: FlagSpec): string {
  const extra: string[] = [];
  if (spec.defaultText !== undefined) extra.push(`default ${spec.defaultText}`);
  if (spec.env?.length) extra.push(`env ${spec.env.join(', ')}`);
  return extra.length ? `${spec.description} (${extra.join('; ')})` : spec.description;
}

export function addFlags(cmd: Command, names: readonly FlagName[]): Command {
  for (const name of names) {
    const spec: FlagSpec = FLAGS[name];
    const option = new Option(commanderFlags(spec), flagHelp(spec));
    if (spec.repeatable) option.argParser((v: string, prev: unknown) => [...(Array.isArray(prev) ? (prev as string[]) : []), v]);
    cmd.addOption(option);
    if (spec.negatable && !spec.value) {
      // argv.ts turns `-x=false` into `--no-x`; absent stays undefined so the command can apply its own default.
      cmd.addOption(new Option(`--no-${spec.name}`).hideHelp());
      cmd.setOptionValueWithSource(flagKey(spec.name), undefined, 'default');
    }
  }
  return cmd;
}

/** commander's attribute key for a flag (`data-dir` → `dataDir`). */
export const flagKey = (name: string): string => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Markdown table of flags for docs/cli.md. */
export function renderFlagTable(names: readonly FlagName[]): string {
  const rows = names.map((n) => {
    const spec: FlagSpec = FLAGS[n];
    return `| \`${nomadFlags(spec)}\` | ${spec.description} | ${spec.defaultText ?? ''} | ${(spec.env ?? []).join(', ')} |`;
  });
  return ['| flag | meaning | default | env |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
