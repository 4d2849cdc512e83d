export { parseJobFile, loadJobFile, type ParseOptions, type ParsedJob } from './parse.js';
export { HclLocator, type Locator, type Path, type Position } from './locate.js';
export { normalizeQuotes } from './quotes.js';
export { parseGoDuration, formatGoDuration } from './duration.js';
export type { JobspecProblem } from './problems.js';
export { parseJobJson, type JsonParseOptions } from './parse-json.js';
export { taskEnvironment, interpolateValue, type TaskEnvironmentInput } from './interpolate.js';
