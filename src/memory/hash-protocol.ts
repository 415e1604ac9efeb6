/** Messages between ThreadedHasher and its hashing thread. */

/**
 * Either an encoded image, or one 224×224 RGB frame already decoded as the local models read
 * it (FrameBlockhash's second half only). The bytes are transferred, not copied.
 */
export type ToHashWorker = { id: number; image: Uint8Array } | { id: number; frame: Uint8Array };

export type FromHashWorker =
  { id: number; hash: string } | { id: number; error: string; unhashable: boolean };
