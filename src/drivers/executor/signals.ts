import { constants } from 'node:os';
import { KilnError } from '../../structs/index.js';

/** Normalize "INT", "sigint", "SIGINT" to "SIGINT"; reject names the OS does not know. */
export function parseSignal(name: string): NodeJS.Signals {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (!(full in constants.signals)) {
    throw new KilnError('DRIVER_ERROR', `unknown signal "${name}": use a name such as SIGINT, SIGTERM or SIGHUP`);
  }
  return full as NodeJS.Signals;
}
