import type { ExitResult } from '../drivers/driver.js';
import type { TaskEvent, TaskEventType } from '../structs/index.js';
import { nowNs } from '../structs/index.js';
import { formatGoDuration } from './duration.js';

/** Nomad keeps the last 10 events per task; so do we. */
export const MAX_TASK_EVENTS = 10;

export function taskEvent(type: TaskEventType, message: string, extra: Partial<TaskEvent> = {}): TaskEvent {
  return { Type: type, Time: nowNs(), Message: message, DisplayMessage: message, ...extra };
}

export const receivedEvent = (): TaskEvent => taskEvent('Received', 'Task received by client');
export const setupEvent = (): TaskEvent => taskEvent('Task Setup', 'Building Task Directory');
/** Driver progress shown to users ("Downloading image …"); emitted by hooks through ctx.emit. */
export const driverEvent = (message: string): TaskEvent => taskEvent('Driver', message);

export const startedEvent = (): TaskEvent => taskEvent('Started', 'Task started by client');

export function terminatedEvent(res: ExitResult): TaskEvent {
  const parts = [`Exit Code: ${res.exitCode}`];
  if (res.signal) parts.push(`Signal: ${res.signal}`);
  if (res.oomKilled) parts.push('OOM Killed: true');
  if (res.error) parts.push(`Exit Message: ${JSON.stringify(res.error)}`);
  return taskEvent('Terminated', parts.join(', '), { ExitCode: res.exitCode, Signal: res.signal });
}

export const restartingEvent = (delayMs: number, reason: string): TaskEvent =>
  taskEvent('Restarting', `Task restarting in ${formatGoDuration(delayMs * 1e6)}`, { RestartReason: reason });

export const notRestartingEvent = (reason: string): TaskEvent => taskEvent('Not Restarting', reason, { FailsTask: true });

export function killingEvent(signal: string, timeoutMs: number, reason?: string): TaskEvent {
  const msg = `Sent ${signalWord(signal)}. Waiting ${formatGoDuration(timeoutMs * 1e6)} before force killing`;
  return taskEvent('Killing', reason ? `${reason}: ${msg}` : msg, { KillTimeout: timeoutMs * 1e6 });
}

export const killedEvent = (): TaskEvent => taskEvent('Killed', 'Task successfully killed');

export const failureEvent = (type: TaskEventType, cause: string, failsTask: boolean): TaskEvent =>
  taskEvent(type, cause, { DriverError: cause, FailsTask: failsTask });

function signalWord(signal: string): string {
  const words: Record<string, string> = { SIGINT: 'interrupt', SIGTERM: 'terminate', SIGKILL: 'kill', SIGHUP: 'hangup', SIGQUIT: 'quit' };
  return words[signal.toUpperCase()] ?? signal;
}
