/** Every command of the CLI, in the order help and docs list them. */
import type { CommandDef } from '../command.js';
import { jobRun } from './job-run.js';
import { jobPlan } from './job-plan.js';
import { jobValidate } from './job-validate.js';
import { jobStatus } from './job-status.js';
import { jobAllocs } from './job-allocs.js';
import { jobInspect } from './job-inspect.js';
import { jobHistory } from './job-history.js';
import { jobRevert } from './job-revert.js';
import { jobStop } from './job-stop.js';
import { jobDispatch } from './job-dispatch.js';
import { jobPeriodicForce } from './job-periodic-force.js';
import { jobRestart } from './job-restart.js';
import { jobLogs } from './job-logs.js';
import { allocStatus } from './alloc-status.js';
import { allocLogs } from './alloc-logs.js';
import { allocExec } from './alloc-exec.js';
import { allocStop } from './alloc-stop.js';
import { nodeStatus } from './node-status.js';
import { nodeEligibility } from './node-eligibility.js';
import { nodeDrain } from './node-drain.js';
import { nodePorts } from './node-ports.js';
import { serverMembers } from './server-members.js';
import { evalStatus } from './eval-status.js';
import { deploymentListCommand } from './deployment-list.js';
import { deploymentStatus } from './deployment-status.js';
import { deploymentPromote } from './deployment-promote.js';
import { deploymentFail } from './deployment-fail.js';
import { deploymentPause, deploymentResume } from './deployment-pause.js';
import { evalList } from './eval-list.js';
import { status } from './status.js';
import { version } from './version.js';
import { docsCli } from './docs-cli.js';
import { imageBuild } from './image-build.js';
import { imagePush } from './image-push.js';
import { imageLs } from './image-ls.js';
import { imageRm } from './image-rm.js';
import { imageKeygen } from './image-keygen.js';
import { registryServe } from './registry-serve.js';
import { catalogServices } from './catalog-services.js';
import { catalogService } from './catalog-service.js';
import { catalogNodes } from './catalog-nodes.js';
import { operatorSnapshot } from './operator-snapshot.js';
import { aclBootstrap } from './acl-bootstrap.js';
import { aclTokenCreate, aclTokenDelete, aclTokenList, aclTokenSelf } from './acl-token.js';
import { aclPolicyApply, aclPolicyDelete, aclPolicyList } from './acl-policy.js';
import { tlsCaCreate } from './tls-ca-create.js';
import { tlsCertCreate } from './tls-cert-create.js';
import { LEGACY_ALIASES } from './legacy-aliases.js';

export const COMMANDS: readonly CommandDef[] = [
  jobRun,
  jobPlan,
  jobValidate,
  jobStatus,
  jobAllocs,
  jobInspect,
  jobHistory,
  jobRevert,
  jobStop,
  jobDispatch,
  jobPeriodicForce,
  jobRestart,
  jobLogs,
  allocStatus,
  allocLogs,
  allocExec,
  allocStop,
  nodeStatus,
  nodeEligibility,
  nodeDrain,
  nodePorts,
  serverMembers,
  evalStatus,
  evalList,
  deploymentListCommand,
  deploymentStatus,
  deploymentPromote,
  deploymentFail,
  deploymentPause,
  deploymentResume,
  imageBuild,
  imagePush,
  imageLs,
  imageRm,
  imageKeygen,
  registryServe,
  catalogServices,
  catalogService,
  catalogNodes,
  operatorSnapshot,
  aclBootstrap,
  aclTokenCreate,
  aclTokenList,
  aclTokenDelete,
  aclTokenSelf,
  aclPolicyApply,
  aclPolicyList,
  aclPolicyDelete,
  tlsCaCreate,
  tlsCertCreate,
  status,
  version,
  docsCli,
  ...LEGACY_ALIASES,
];

/** What each noun groups, for help and docs. */
export const NOUNS: Readonly<Record<string, string>> = {
  job: 'Submit, inspect and stop jobs',
  alloc: 'Inspect allocations (running instances of a task group) and their logs',
  node: 'Inspect, drain and set the eligibility of client nodes',
  server: 'Inspect the cluster\'s servers',
  operator: 'Cluster operations: state snapshots',
  acl: 'ACL tokens and policies: bootstrap, create, list, delete (docs/security.md)',
  'acl token': 'Create, list, inspect and delete ACL tokens',
  'acl policy': 'Apply, list and delete ACL policies (HCL rules)',
  eval: 'Inspect evaluations (scheduling decisions)',
  deployment: 'Follow, promote, fail, pause and resume deployments (rolling updates and canaries)',
  image: 'Build, publish and list jail images',
  catalog: 'Inspect the service catalog (services, instances, nodes)',
  tls: 'Create the cluster CA and agent certificates (TLS quick start)',
  'tls ca': 'The cluster certificate authority',
  'tls cert': 'Agent and CLI certificates signed by the cluster CA',
  docs: 'Generate documentation',
};
