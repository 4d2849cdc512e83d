/**
 * Every command of the CLI, in the order help and docs list them. The table
 * holds each command's spec (path, flags, help text) and a loader: the
 * command's module, and what it imports, load only when the command runs.
 * A new command: its spec in specs/<noun>.ts, its module exporting
 * `{ ...spec, run }` (a complete CommandDef, which tests can run directly),
 * and one lazyCommand line here (test/cli/lazy-load.test.ts checks the pair).
 */
import type { LazyCommandDef } from '../command.js';
import { lazyCommand } from '../command.js';
import { legacyAlias } from './legacy-aliases.js';
import * as acl from './specs/acl.js';
import * as alloc from './specs/alloc.js';
import * as catalog from './specs/catalog.js';
import * as deployment from './specs/deployment.js';
import * as evaluation from './specs/eval.js';
import * as image from './specs/image.js';
import * as job from './specs/job.js';
import * as misc from './specs/misc.js';
import * as node from './specs/node.js';
import * as tls from './specs/tls.js';

const jobRun = lazyCommand(job.jobRunSpec, async () => (await import('./job-run.js')).jobRun);
const jobPlan = lazyCommand(job.jobPlanSpec, async () => (await import('./job-plan.js')).jobPlan);
const jobValidate = lazyCommand(job.jobValidateSpec, async () => (await import('./job-validate.js')).jobValidate);
const jobStatus = lazyCommand(job.jobStatusSpec, async () => (await import('./job-status.js')).jobStatus);
const jobAllocs = lazyCommand(job.jobAllocsSpec, async () => (await import('./job-allocs.js')).jobAllocs);
const jobInspect = lazyCommand(job.jobInspectSpec, async () => (await import('./job-inspect.js')).jobInspect);
const jobHistory = lazyCommand(job.jobHistorySpec, async () => (await import('./job-history.js')).jobHistory);
const jobRevert = lazyCommand(job.jobRevertSpec, async () => (await import('./job-revert.js')).jobRevert);
const jobStop = lazyCommand(job.jobStopSpec, async () => (await import('./job-stop.js')).jobStop);
const jobDispatch = lazyCommand(job.jobDispatchSpec, async () => (await import('./job-dispatch.js')).jobDispatch);
const jobPeriodicForce = lazyCommand(job.jobPeriodicForceSpec, async () => (await import('./job-periodic-force.js')).jobPeriodicForce);
const jobRestart = lazyCommand(job.jobRestartSpec, async () => (await import('./job-restart.js')).jobRestart);
const jobLogs = lazyCommand(job.jobLogsSpec, async () => (await import('./job-logs.js')).jobLogs);
const allocStatus = lazyCommand(alloc.allocStatusSpec, async () => (await import('./alloc-status.js')).allocStatus);
const allocLogs = lazyCommand(alloc.allocLogsSpec, async () => (await import('./alloc-logs.js')).allocLogs);
const allocExec = lazyCommand(alloc.allocExecSpec, async () => (await import('./alloc-exec.js')).allocExec);
const allocStop = lazyCommand(alloc.allocStopSpec, async () => (await import('./alloc-stop.js')).allocStop);
const nodeStatus = lazyCommand(node.nodeStatusSpec, async () => (await import('./node-status.js')).nodeStatus);
const nodeEligibility = lazyCommand(node.nodeEligibilitySpec, async () => (await import('./node-eligibility.js')).nodeEligibility);
const nodeDrain = lazyCommand(node.nodeDrainSpec, async () => (await import('./node-drain.js')).nodeDrain);
const nodePorts = lazyCommand(node.nodePortsSpec, async () => (await import('./node-ports.js')).nodePorts);
const serverMembers = lazyCommand(misc.serverMembersSpec, async () => (await import('./server-members.js')).serverMembers);
const evalStatus = lazyCommand(evaluation.evalStatusSpec, async () => (await import('./eval-status.js')).evalStatus);
const evalList = lazyCommand(evaluation.evalListSpec, async () => (await import('./eval-list.js')).evalList);
const deploymentListCommand = lazyCommand(deployment.deploymentListCommandSpec, async () => (await import('./deployment-list.js')).deploymentListCommand);
const deploymentStatus = lazyCommand(deployment.deploymentStatusSpec, async () => (await import('./deployment-status.js')).deploymentStatus);
const deploymentPromote = lazyCommand(deployment.deploymentPromoteSpec, async () => (await import('./deployment-promote.js')).deploymentPromote);
const deploymentFail = lazyCommand(deployment.deploymentFailSpec, async () => (await import('./deployment-fail.js')).deploymentFail);
const deploymentPause = lazyCommand(deployment.deploymentPauseSpec, async () => (await import('./deployment-pause.js')).deploymentPause);
const deploymentResume = lazyCommand(deployment.deploymentResumeSpec, async () => (await import('./deployment-pause.js')).deploymentResume);
const imageBuild = lazyCommand(image.imageBuildSpec, async () => (await import('./image-build.js')).imageBuild);
const imagePush = lazyCommand(image.imagePushSpec, async () => (await import('./image-push.js')).imagePush);
const imageLs = lazyCommand(image.imageLsSpec, async () => (await import('./image-ls.js')).imageLs);
const imageRm = lazyCommand(image.imageRmSpec, async () => (await import('./image-rm.js')).imageRm);
const imageKeygen = lazyCommand(image.imageKeygenSpec, async () => (await import('./image-keygen.js')).imageKeygen);
const registryServe = lazyCommand(image.registryServeSpec, async () => (await import('./registry-serve.js')).registryServe);
const catalogServices = lazyCommand(catalog.catalogServicesSpec, async () => (await import('./catalog-services.js')).catalogServices);
const catalogService = lazyCommand(catalog.catalogServiceSpec, async () => (await import('./catalog-service.js')).catalogService);
const catalogNodes = lazyCommand(catalog.catalogNodesSpec, async () => (await import('./catalog-nodes.js')).catalogNodes);
const operatorSnapshot = lazyCommand(misc.operatorSnapshotSpec, async () => (await import('./operator-snapshot.js')).operatorSnapshot);
const aclBootstrap = lazyCommand(acl.aclBootstrapSpec, async () => (await import('./acl-bootstrap.js')).aclBootstrap);
const aclTokenCreate = lazyCommand(acl.aclTokenCreateSpec, async () => (await import('./acl-token.js')).aclTokenCreate);
const aclTokenList = lazyCommand(acl.aclTokenListSpec, async () => (await import('./acl-token.js')).aclTokenList);
const aclTokenDelete = lazyCommand(acl.aclTokenDeleteSpec, async () => (await import('./acl-token.js')).aclTokenDelete);
const aclTokenSelf = lazyCommand(acl.aclTokenSelfSpec, async () => (await import('./acl-token.js')).aclTokenSelf);
const aclPolicyApply = lazyCommand(acl.aclPolicyApplySpec, async () => (await import('./acl-policy.js')).aclPolicyApply);
const aclPolicyList = lazyCommand(acl.aclPolicyListSpec, async () => (await import('./acl-policy.js')).aclPolicyList);
const aclPolicyDelete = lazyCommand(acl.aclPolicyDeleteSpec, async () => (await import('./acl-policy.js')).aclPolicyDelete);
const tlsCaCreate = lazyCommand(tls.tlsCaCreateSpec, async () => (await import('./tls-ca-create.js')).tlsCaCreate);
const tlsCertCreate = lazyCommand(tls.tlsCertCreateSpec, async () => (await import('./tls-cert-create.js')).tlsCertCreate);
const status = lazyCommand(misc.statusSpec, async () => (await import('./status.js')).status);
const version = lazyCommand(misc.versionSpec, async () => (await import('./version.js')).version);
const docsCli = lazyCommand(misc.docsCliSpec, async () => (await import('./docs-cli.js')).docsCli);

export const COMMANDS: readonly LazyCommandDef[] = [
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
  ...[jobRun, jobStop, jobPlan, jobValidate, jobInspect].map(legacyAlias),
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
