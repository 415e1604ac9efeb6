/**
 * Image memory's public surface: the perceptual-hasher port, its sharp-based implementation,
 * and the Hamming-space arithmetic the reporting store indexes hashes with. See ADR 14.
 */
import type { ImageHasher } from './types.js';

export { UnhashableImageError, type ImageHasher } from './types.js';
export {
  HASH_BITS,
  MAX_RECALL_DISTANCE,
  bandProbes,
  hammingDistance,
  hashBands,
  isImageHash,
} from './hash.js';

/**
 * The in-process hasher (`FrameBlockhash`), loaded on first call: it decodes with sharp, a
 * native module not worth loading where nothing is hashed (a config check, memory off).
 *
 * @example
 * const hasher = await loadImageHasher();
 * const hash = await hasher.hash(bytes);
 */
export async function loadImageHasher(): Promise<ImageHasher> {
  const { FrameBlockhash } = await import('./blockhash.js');
  return new FrameBlockhash();
}
