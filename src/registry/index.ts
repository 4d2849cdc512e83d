export { RegistryAgent, registryFilesDir, type RegistryOptions } from './agent.js';
export { RegistryClient, type PushResult } from './client.js';
export { listImages, type RegistryImage } from './catalog.js';
export { parseRange } from './files.js';
