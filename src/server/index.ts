export { ServerAgent, DEFAULT_SERVER_PORT, type ServerAgentOptions } from './server-agent.js';
export type { LeaderDuties } from './leader/leader.js';
export type { ServerLogger } from './logger.js';
export { silentLogger, stderrLogger } from './logger.js';
export { parseWait, DEFAULT_WAIT_MS, MAX_WAIT_MS } from './http/blocking.js';
export { closeGracefully, createApp, DEFAULT_BODY_LIMIT_BYTES, type AppOptions } from './http/app.js';
