/**
 * The image-memory contract: a perceptual hasher turns an image into a 64-bit hash that
 * changes little when the picture is resized, recompressed, converted or lightly cropped, so
 * a later upload of the same picture can be recognised (ADR 14). Where hashes are kept and
 * what a remembered one stands for is the reporting store's and the pipeline's business.
 */

/** Makes perceptual hashes: 64 bits as 16 lower-case hex digits. */
export interface ImageHasher {
  /**
   * Names the algorithm (and the version of it); hashes are compared only with hashes of
   * the same algorithm, so changing it starts a new memory instead of mismatching the old.
   */
  readonly algorithm: string;
  /**
   * @throws UnhashableImageError when the bytes are no single-frame image it can decode.
   */
  hash(image: Buffer): Promise<string>;
}

/** The image cannot take part in memory (undecodable, or animated); it is judged as usual. */
export class UnhashableImageError extends Error {
  override readonly name = 'UnhashableImageError';
}
