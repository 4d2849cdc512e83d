import type { CommandSpec } from '../../command.js';

export const jobAllocsSpec: CommandSpec = {
  path: ['job', 'allocs'],
  args: ['<job>'],
  summary: 'List the allocations of a job',
  flags: ['json', 'verbose', 'all'],
  examples: ['kiln job allocs nginx-minipot'],
};

export const jobDispatchSpec: CommandSpec = {
  path: ['job', 'dispatch'],
  args: ['<job>', '[input]'],
  summary: 'Create a child job of a parameterized job, with an optional payload and meta data',
  details:
    'As `nomad job dispatch`: the payload is the content of `[input]` (a file, or `-` for stdin; at most 16 KiB) and is written ' +
    'into the task\'s `local/<dispatch_payload.file>`; each `-meta key=value` must be listed in the job\'s `meta_required` or ' +
    '`meta_optional` and reaches the tasks as `NOMAD_META_<key>`. The child job is named `<job>/dispatch-<unix time>-<8 hex>`. ' +
    'Without `-detach` its evaluation is followed.',
  flags: ['meta', 'detach', 'verbose'],
  exitCodes: { 0: 'dispatched (and, unless -detach, the evaluation placed everything)', 1: 'error: not a parameterized job, meta or payload refused', 2: 'the evaluation could not place every allocation' },
  examples: ['kiln job dispatch -meta who=world greeter', 'kiln job dispatch -meta who=world greeter input.txt', 'echo hello | kiln job dispatch -detach greeter -'],
};

export const jobHistorySpec: CommandSpec = {
  path: ['job', 'history'],
  args: ['<job>'],
  summary: 'List the versions of a job, newest first; -p shows what each version changed',
  details: 'A version is stable once a deployment of it succeeded. `kiln job revert <job> <version>` registers an earlier version again.',
  flags: ['p', 'json'],
  examples: ['kiln job history nginx-minipot', 'kiln job history -p web'],
};

export const jobInspectSpec: CommandSpec = {
  path: ['job', 'inspect'],
  args: ['<job>'],
  summary: 'Print a registered job as JSON ({"Job": …}, resubmittable with `kiln job run file.json`)',
  flags: [],
  examples: ['kiln job inspect nginx-minipot > nginx.json'],
};

export const jobLogsSpec: CommandSpec = {
  path: ['job', 'logs'],
  args: ['<job>'],
  summary: 'Print the logs of every allocation of a job, interleaved, each line prefixed with its allocation; -f follows new allocations too',
  details:
    'Lines from different allocations are interleaved as they arrive, each whole line prefixed with the short allocation ID ' +
    '(and the task, when the group has several tasks and -task is not given). With -f the command keeps following every allocation ' +
    'and picks up allocations placed later (scaling, rolling updates, rescheduling, drains) until Ctrl-C.',
  flags: ['f', 'stderr', 'task'],
  examples: ['kiln job logs web', 'kiln job logs -f -stderr web', 'kiln job logs -task server web'],
};

export const jobPeriodicForceSpec: CommandSpec = {
  path: ['job', 'periodic', 'force'],
  args: ['<job>'],
  summary: 'Launch a child of a periodic job now, whatever its schedule',
  details:
    'As `nomad job periodic force`: the child is named `<job>/periodic-<unix time>` and is launched even when ' +
    '`prohibit_overlap` would skip a scheduled launch. Without `-detach` its evaluation is followed.',
  flags: ['detach', 'verbose'],
  exitCodes: { 0: 'launched (and, unless -detach, the evaluation placed everything)', 1: 'error: no such job, not periodic, or stopped', 2: 'the evaluation could not place every allocation' },
  examples: ['kiln job periodic force nightly-report', 'kiln job periodic force -detach nightly-report'],
};

export const jobPlanSpec: CommandSpec = {
  path: ['job', 'plan'],
  args: ['<file>'],
  summary: 'Dry-run the scheduler: show what submitting the job file would change',
  flags: ['json'],
  errorExitCode: 255,
  exitCodes: { 0: 'no allocation changes', 1: 'allocations would be created, destroyed or updated', 255: 'error' },
  examples: ['kiln job plan nginx.job'],
};

export const jobRestartSpec: CommandSpec = {
  path: ['job', 'restart'],
  args: ['<job>'],
  summary: 'Restart every running allocation of a job in place, a batch at a time, without a new version',
  details:
    'Each allocation\'s running tasks are restarted where they run (as kiln alloc restart would), outside their restart policy. ' +
    'Batches are the group\'s update max_parallel (or -batch-size, default 1); the next batch starts once the restarted allocations ' +
    'are running again and have stayed so for the group\'s update min_healthy_time (a restart that fails, or is not healthy within ' +
    'healthy_deadline, stops the command). The job keeps its version; no deployment is created.',
  flags: ['batch-size', 'yes', 'verbose'],
  exitCodes: { 0: 'every allocation restarted and healthy', 1: 'error, or an allocation did not come back healthy' },
  examples: ['kiln job restart -yes web', 'kiln job restart -batch-size 2 web'],
};

export const jobRevertSpec: CommandSpec = {
  path: ['job', 'revert'],
  args: ['<job>', '<version>'],
  summary: 'Register an earlier version of a job again, as a new version',
  details:
    'As `nomad job revert`: the definition of `<version>` (see `kiln job history`) becomes the newest version, rolled out like ' +
    'any change (with a deployment when the job has an `update` block). Without `-detach` the evaluation, then the deployment, is followed.',
  flags: ['detach', 'verbose'],
  exitCodes: { 0: 'reverted (and, unless -detach, the rollout succeeded)', 1: 'error: no such job or version, already at that version, or the deployment failed', 2: 'the evaluation failed to place' },
  examples: ['kiln job revert web 0', 'kiln job revert -detach web 3'],
};

export const jobRunSpec: CommandSpec = {
  path: ['job', 'run'],
  args: ['<file>'],
  summary: 'Submit a job file and follow its evaluation until the allocations run',
  details:
    'HCL files are parsed by the server (`POST /v1/jobs/parse`), so parse errors list every problem with file:line:column; ' +
    '`.json` files are taken as Nomad JSON. Without `-detach` the evaluation is monitored like `nomad job run`, then the command ' +
    'waits (up to `-timeout`) for every placed allocation to be running, printing task events such as image downloads. ' +
    'When the new version starts a deployment (a group with an `update` block), the deployment is followed instead, with a ' +
    'per-group table (Desired, Placed, Healthy, Unhealthy, Progress Deadline), until it succeeds or fails.',
  flags: ['detach', 'timeout', 'verbose'],
  exitCodes: { 0: 'job registered and every allocation placed (and running, or its deployment successful)', 1: 'error, an allocation failed or did not start in time, or the deployment failed', 2: 'placement failure (see the printed reasons)' },
  examples: ['kiln job run nginx.job', 'kiln job run -detach nginx.job'],
};

export const jobStatusSpec: CommandSpec = {
  path: ['job', 'status'],
  args: ['[job]'],
  summary: 'List jobs, or show one job with its summary, placement failures, latest deployment and allocations',
  flags: ['json', 'verbose', 'all'],
  examples: ['kiln job status', 'kiln job status nginx-minipot'],
};

export const jobStopSpec: CommandSpec = {
  path: ['job', 'stop'],
  args: ['<job>'],
  summary: 'Stop a job (its allocations are stopped); -purge also removes it',
  flags: ['purge', 'detach', 'verbose'],
  exitCodes: { 0: 'stopped', 1: 'error', 2: 'the stop evaluation failed to place (rare)' },
  examples: ['kiln job stop nginx-minipot', 'kiln job stop -purge nginx-minipot'],
};

export const jobValidateSpec: CommandSpec = {
  path: ['job', 'validate'],
  args: ['<file>'],
  summary: 'Check a job file without submitting it',
  flags: ['json'],
  examples: ['kiln job validate nginx.job'],
};
