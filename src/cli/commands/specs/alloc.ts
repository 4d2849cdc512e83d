import type { CommandSpec } from '../../command.js';

export const allocExecSpec: CommandSpec = {
  path: ['alloc', 'exec'],
  args: ['<alloc>', '<command...>'],
  summary: 'Run a command beside a running task (an interactive shell with -t)',
  details:
    'Everything after the allocation is the command and its arguments, flags included. -t gives it a terminal (the default when stdin is one); ' +
    'in a terminal session <escape>. at the start of a line ends the session. The exit code is the command\'s.',
  flags: ['task', 'i', 't', 'e'],
  passThroughArgs: true,
  examples: ['kiln alloc exec -task web 636d3241 /bin/sh', 'kiln alloc exec 636d3241 ls -la /local', "echo hi | kiln alloc exec -t=false 636d3241 cat"],
  exitCodes: { 0: 'the command exited 0 (or the session was ended with the escape)', 1: 'kiln could not run the command (unknown allocation or task, task not running), or the command exited 1; other codes are the command\'s' },
};

export const allocLogsSpec: CommandSpec = {
  path: ['alloc', 'logs'],
  args: ['<alloc>', '[task]'],
  summary: "Print a task's stdout or stderr; -f follows until Ctrl-C",
  details: 'The task (an argument or -task) may be left out when the allocation has a single task. With -f and neither -stdout nor -stderr, both streams are followed (stderr to stderr).',
  flags: ['task', 'f', 'stderr', 'stdout', 'tail', 'n', 'c', 'verbose'],
  examples: ['kiln alloc logs 636d3241', 'kiln alloc logs -f 636d3241 www1', 'kiln alloc logs -tail -n 20 -stderr 636d3241'],
};

export const allocStatusSpec: CommandSpec = {
  path: ['alloc', 'status'],
  args: ['<alloc>'],
  summary: 'Show an allocation: addresses, tasks, resources and recent task events',
  details: 'The allocation ID may be a unique prefix (the 8-character short form printed by other commands).',
  flags: ['json', 'verbose', 'catalog-address'],
  examples: ['kiln alloc status 636d3241'],
};

export const allocStopSpec: CommandSpec = {
  path: ['alloc', 'stop'],
  args: ['<alloc>'],
  summary: 'Stop an allocation; the scheduler places a replacement if the job still wants it',
  flags: ['detach', 'verbose'],
  examples: ['kiln alloc stop 636d3241'],
};
