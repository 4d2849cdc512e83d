export { Agent, type AgentOptions, type AgentState } from './agent.js';
export { devConfig, loadConfigPath, resolveConfig, type AgentConfig } from './config.js';
export { streamLogger, silentLogger, type Logger, type LogLevel } from './logger.js';
