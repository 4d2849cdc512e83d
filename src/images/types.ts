/** The seam between the image store and the jail driver (re-exported by index.ts). */

/** A task's image config: `image`, `pot`, `tag`. */
export interface ImageRef {
  url: string;
  pot: string;
  tag: string;
  /** Pinned sha256 (hex): the image must have exactly this digest, whatever the registry publishes. */
  digest?: string;
}

/** The `.xz.meta` JSON: default command, exposed ports, environment, build info. */
export interface ImageMeta {
  cmd?: string[];
  ports?: number[];
  env?: Record<string, string>;
  build?: Record<string, unknown>;
}

export interface PreparedImage {
  /** sha256 hex of the `.xz` file. */
  digest: string;
  /** Read-only unpacked root filesystem, shared by every allocation of the image. */
  rootfs: string;
  meta: ImageMeta;
  /** Bytes of the unpacked files. */
  sizeBytes: number;
}

export type ImageProgress = {
  phase: 'resolve' | 'download' | 'verify' | 'unpack' | 'cached';
  bytes?: number;
  totalBytes?: number;
  message: string;
};

/** One cached image, as `list()` reports it. */
export interface ImageInfo {
  digest: string;
  /** The URL it was fetched from (after mirrors). */
  url: string;
  pot: string;
  tag: string;
  rootfs: string;
  sizeBytes: number;
  /** Unix ms. */
  fetchedAt: number;
  holders: string[];
}
