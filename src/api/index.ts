export * from './types.js';
export * from './responses.js';
export { KilnClient, unwrapParsedJob, toWarnings } from './client.js';
export type { KilnClientOptions, ParsedJob } from './client.js';
export { ApiError, apiErrorFromBody } from './errors.js';
export { HttpTransport, normalizeAddress, buildUrl, formatWait, DEFAULT_TIMEOUT_MS } from './transport.js';
export { decodeLogFrames, parseLogFrame, frameData, LineSplitter } from './logs.js';
