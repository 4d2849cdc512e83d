import type { CommandSpec } from '../../command.js';

export const deploymentFailSpec: CommandSpec = {
  path: ['deployment', 'fail'],
  args: ['<deployment>'],
  summary: 'Mark a running deployment failed: the rollout stops, and a group with auto_revert goes back to the last stable version',
  flags: ['verbose'],
  exitCodes: { 0: 'marked failed', 1: 'error (for example the deployment is not running)' },
  examples: ['kiln deployment fail 62eb607c'],
};

export const deploymentListCommandSpec: CommandSpec = {
  path: ['deployment', 'list'],
  args: [],
  summary: 'List deployments, newest first',
  flags: ['json', 'verbose'],
  examples: ['kiln deployment list'],
};

export const deploymentPauseSpec: CommandSpec = {
  path: ['deployment', 'pause'],
  args: ['<deployment>'],
  summary: 'Pause a running deployment: no further allocations are replaced until it is resumed',
  details:
    'Allocations already placed keep running and their health is still tracked; the progress deadline does not apply while paused and starts again on resume. An unhealthy allocation still fails the deployment.',
  flags: ['verbose'],
  exitCodes: { 0: 'paused', 1: 'error (for example the deployment is not running)' },
  examples: ['kiln deployment pause 62eb607c'],
};

export const deploymentResumeSpec: CommandSpec = {
  path: ['deployment', 'resume'],
  args: ['<deployment>'],
  summary: 'Resume a paused deployment: the rollout continues where it stopped',
  details: 'Without `-detach` the deployment is followed until it succeeds or fails.',
  flags: ['detach', 'verbose'],
  exitCodes: { 0: 'resumed (and, unless -detach, the deployment succeeded)', 1: 'error: the deployment is not paused, or it failed' },
  examples: ['kiln deployment resume 62eb607c', 'kiln deployment resume -detach 62eb607c'],
};

export const deploymentPromoteSpec: CommandSpec = {
  path: ['deployment', 'promote'],
  args: ['<deployment>'],
  summary: 'Promote the canaries of a deployment: the rollout replaces the remaining allocations',
  details: 'Every canary must be healthy first. Without `-detach` the deployment is followed until it succeeds or fails.',
  flags: ['detach', 'verbose'],
  exitCodes: { 0: 'promoted (and, unless -detach, the deployment succeeded)', 1: 'error: no canaries, canaries not healthy yet, or the deployment failed' },
  examples: ['kiln deployment promote 62eb607c'],
};

export const deploymentStatusSpec: CommandSpec = {
  path: ['deployment', 'status'],
  args: ['<deployment>'],
  summary: 'Show a deployment: status, and per task group desired, placed, healthy and unhealthy allocations',
  flags: ['json', 'verbose'],
  examples: ['kiln deployment status 62eb607c'],
};
