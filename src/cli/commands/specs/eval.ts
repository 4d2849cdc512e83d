import type { CommandSpec } from '../../command.js';

export const evalListSpec: CommandSpec = {
  path: ['eval', 'list'],
  args: [],
  summary: 'List evaluations, newest first',
  flags: ['json', 'verbose', 'job', 'status'],
  examples: ['kiln eval list', 'kiln eval list -job nginx-minipot -status blocked'],
};

export const evalStatusSpec: CommandSpec = {
  path: ['eval', 'status'],
  args: ['<eval>'],
  summary: 'Show an evaluation, with the reasons of any placement failure',
  flags: ['json', 'verbose'],
  exitCodes: { 0: 'shown', 1: 'error' },
  examples: ['kiln eval status 52dee78a'],
};
