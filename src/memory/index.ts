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
 * The sharp-based hasher (`SharpPhash`), loaded on first call: sharp is a native module, not
 * worth loading where nothing is hashed (a config check, a deployment with memory off).
 *
 * @example
 * const hasher = await loadSharpPhash();
 * const hash = await hasher.hash(bytes);
 */
export async function loadSharpPhash(): Promise<ImageHasher> {
  const { SharpPhash } = await import('./sharp-phash.js');
  return new SharpPhash();
}
