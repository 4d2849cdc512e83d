import type { CommandSpec } from '../../command.js';

export const aclBootstrapSpec: CommandSpec = {
  path: ['acl', 'bootstrap'],
  args: [],
  summary: 'Create the first management token of a fresh cluster (works once)',
  details:
    'Outside `agent -dev` on loopback, ACLs are on and a fresh cluster refuses anonymous requests until this runs. ' +
    'It prints the bootstrap token\'s Secret ID once: keep it safe and pass it with -token or KILN_TOKEN. ' +
    'A second bootstrap fails with "ACL bootstrap already done".',
  flags: ['json'],
  examples: ['kiln acl bootstrap', 'export KILN_TOKEN=$(kiln acl bootstrap -json | jq -r .SecretID)'],
};

export const aclPolicyApplySpec: CommandSpec = {
  path: ['acl', 'policy', 'apply'],
  args: ['<name>', '<file>'],
  summary: 'Create or replace an ACL policy from an HCL file ("-" reads stdin)',
  details:
    'Rules: namespace "<name or glob>" { policy = "read"|"write"|"deny", capabilities = ["read-logs", "alloc-exec", …] }, node, agent, operator and registry { policy = … }, ' +
    'service_prefix "<prefix>" and key_prefix "<prefix>" { policy = … }. Errors name the line and column. A policy named "anonymous" applies to requests without a token. See docs/security.md.',
  flags: ['description'],
  examples: ['kiln acl policy apply readonly readonly.hcl', 'kiln acl policy apply -description "CI deploys" deploy deploy.hcl'],
};

export const aclPolicyListSpec: CommandSpec = {
  path: ['acl', 'policy', 'list'],
  args: [],
  summary: 'List ACL policies',
  flags: ['json'],
  examples: ['kiln acl policy list'],
};

export const aclPolicyDeleteSpec: CommandSpec = {
  path: ['acl', 'policy', 'delete'],
  args: ['<name>'],
  summary: 'Delete an ACL policy; tokens naming it lose its rights at once',
  flags: [],
  examples: ['kiln acl policy delete readonly'],
};

export const aclTokenCreateSpec: CommandSpec = {
  path: ['acl', 'token', 'create'],
  args: [],
  summary: 'Create an ACL token with policies (or a management token)',
  details: 'Needs a management token. The new token\'s Secret ID is printed once; kiln stores only its SHA-256.',
  flags: ['name', 'type', 'policy', 'json'],
  examples: ['kiln acl token create -name ci -policy readonly', 'kiln acl token create -name ops -policy submit -policy exec', 'kiln acl token create -name admin -type management'],
};

export const aclTokenListSpec: CommandSpec = {
  path: ['acl', 'token', 'list'],
  args: [],
  summary: 'List ACL tokens (accessors, never secrets)',
  flags: ['json'],
  examples: ['kiln acl token list'],
};

export const aclTokenDeleteSpec: CommandSpec = {
  path: ['acl', 'token', 'delete'],
  args: ['<accessor>'],
  summary: 'Delete an ACL token by accessor ID (or a unique prefix); it stops working at once',
  flags: [],
  examples: ['kiln acl token delete 3f2a'],
};

export const aclTokenSelfSpec: CommandSpec = {
  path: ['acl', 'token', 'self'],
  args: [],
  summary: 'Show the token in use (-token / KILN_TOKEN)',
  flags: ['json'],
  examples: ['KILN_TOKEN=… kiln acl token self'],
};
