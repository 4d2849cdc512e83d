export { launchExecutor, spawnExecutor, isAlive, isExecutorProcess, killQuietly, EXECUTOR_SCRIPT } from './launch.js';
export { ExecutorTask } from './process-task.js';
export { parseSignal } from './signals.js';
export { executorFiles, readJsonIfExists, writeJsonAtomic, describeSpawnError } from './spec.js';
export type { ExecutorSpec, PidFile, ExitFile, StartErrorFile } from './spec.js';
export { checkCommand } from './check-command.js';
export type { LaunchedExecutor } from './launch.js';
