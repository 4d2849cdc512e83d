/**
 * What the pot driver needs from the image store (src/images' ImageStore
 * satisfies it structurally). Kept here so the driver, and its tests with a
 * local busybox rootfs, do not depend on how images are fetched.
 */
export interface ImageRef {
  url: string;
  pot: string;
  tag: string;
}

export interface ImageProgress {
  phase: string;
  bytes?: number;
  totalBytes?: number;
  message: string;
}

export interface PreparedImage {
  digest: string;
  /** Read-only directory shared by every jail of this image: the overlay's lower layer. */
  rootfs: string;
  meta: { cmd?: string[]; ports?: number[]; env?: Record<string, string> };
  sizeBytes: number;
}

export interface PotImageSource {
  ensure(ref: ImageRef, opts: { onProgress?(p: ImageProgress): void; signal?: AbortSignal; holder?: string }): Promise<PreparedImage>;
  /** Mark the image in use by `holder` (a task id) so garbage collection keeps it; again after an agent restart. */
  acquire(digest: string, holder: string): void;
  release(digest: string, holder: string): void;
}
