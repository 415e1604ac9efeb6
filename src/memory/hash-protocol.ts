/** Messages between ThreadedHasher and its hashing thread. */

/** `image` is transferred, not copied. */
export interface ToHashWorker {
  id: number;
  image: Uint8Array;
}

export type FromHashWorker =
  { id: number; hash: string } | { id: number; error: string; unhashable: boolean };
