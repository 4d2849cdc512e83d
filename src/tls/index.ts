export * from './certs.js';
export * from './identity.js';
export * from './load.js';
export * from './server.js';
export * from './fetch.js';
export * from './agent-fetch.js';
export * from './cli.js';
export * from './sni.js';
