/**
 * Images: pot's model (`<url>/<pot>_<tag>.xz` + `.sha256` + `.meta` + `.sig`)
 * fetched, verified, unpacked and cached by digest. The jail driver uses
 * ImageStore.ensure() and acquire()/release(); see docs/images.md.
 */
export type { ImageRef, ImageMeta, PreparedImage, ImageProgress, ImageInfo } from './types.js';
export { ImageStore, type ImageStoreOptions, type EnsureOptions } from './store.js';
export { ImageError, isImageError, type ImageFailure } from './errors.js';
export { imageFileName, imageUrl, potLocalName, applyMirrors, parseImageFileName, parseImageLocator, type Mirror } from './naming.js';
export { formatBytes, downloadMessage, parseDownloadMessage, renderProgressBar } from './progress.js';
export { parsePublicKey, parsePrivateKey, signDigestText, verifyDigestText, generateSigningKey } from './signature.js';
export { parseDigestFile, formatDigestFile } from './digest.js';
export { parseMeta } from './resolve.js';
export { unpackImage, type UnpackOptions } from './unpack.js';
export type { RetryPolicy } from './http.js';
