export { RawExecDriver, RAW_EXEC } from './driver.js';
export type { RawExecHandleState } from './driver.js';
export { parseRawExecConfig } from './config.js';
export type { RawExecConfig } from './config.js';
