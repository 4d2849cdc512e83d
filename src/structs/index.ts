export * from './allocation.js';
export * from './errors.js';
export * from './evaluation.js';
export * from './ids.js';
export * from './job.js';
export * from './node.js';
export * from './plan.js';
export * from './time.js';
