/**
 * 64-bit perceptual hashes as 16 hex digits: their Hamming distance, and the multi-index
 * hashing (Norouzi, Punjani and Fleet, "Fast Search in Hamming Space with Multi-Index
 * Hashing", CVPR 2012) that finds every stored hash within a distance without reading them
 * all. The hash is cut into four 16-bit bands, each indexed in the store. Two hashes at most
 * `d` bits apart differ in at most ⌊d/4⌋ bits in at least one band (four bands cannot each
 * hold more than a quarter of the differing bits), so probing each band with every value
 * within ⌊d/4⌋ bits of the query's band finds every match: the search is exact, not
 * approximate. Candidates are then checked with the full distance.
 */

export const HASH_BITS = 64;
const BANDS = 4;
const BAND_BITS = HASH_BITS / BANDS;

/**
 * The largest distance the band probes serve: 2,517 values per band (every 16-bit value
 * within 4 bits). Past it the probes stop paying off, and unrelated pictures start to match
 * (two unrelated images are about 32 bits apart, give or take 4).
 */
export const MAX_RECALL_DISTANCE = 16;

const HEX_HASH = /^[0-9a-f]{16}$/;

/** Whether `text` is a hash as hashers make them: 16 lower-case hex digits. */
export function isImageHash(text: string): boolean {
  return HEX_HASH.test(text);
}

/**
 * The hash's four 16-bit bands, most significant first.
 *
 * @example hashBands('0123456789abcdef') // [0x0123, 0x4567, 0x89ab, 0xcdef]
 */
export function hashBands(hash: string): [number, number, number, number] {
  if (!isImageHash(hash)) throw new RangeError(`not a 64-bit hex hash: ${JSON.stringify(hash)}`);
  const band = (i: number) => parseInt(hash.slice(i * 4, i * 4 + 4), 16);
  return [band(0), band(1), band(2), band(3)];
}

/**
 * How many bits two hashes differ in (0–64).
 *
 * @example hammingDistance('0000000000000000', '000000000000000f') // 4
 */
export function hammingDistance(a: string, b: string): number {
  const x = hashBands(a);
  const y = hashBands(b);
  let bits = 0;
  for (let i = 0; i < BANDS; i++) bits += popcount16(x[i]! ^ y[i]!);
  return bits;
}

/**
 * For each band of `hash`, every 16-bit value a band of a hash within `maxDistance` may
 * need to have for the store to find it (see the module's comment): the values within
 * ⌊maxDistance/4⌋ bits of the query's band, the band itself first.
 *
 * @throws RangeError past `MAX_RECALL_DISTANCE`.
 */
export function bandProbes(hash: string, maxDistance: number): number[][] {
  if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > MAX_RECALL_DISTANCE)
    throw new RangeError(`maxDistance must be a whole number from 0 to ${MAX_RECALL_DISTANCE}`);
  const radius = Math.floor(maxDistance / BANDS);
  const masks = flipMasks(radius);
  return hashBands(hash).map((band) => masks.map((mask) => band ^ mask));
}

/** Every 16-bit mask with at most `radius` bits set, by number of bits. */
function flipMasks(radius: number): number[] {
  const masks = [0];
  let previous = [0];
  for (let bits = 1; bits <= radius; bits++) {
    // Extend each mask of one bit fewer by a bit above its highest: each mask once.
    const next: number[] = [];
    for (const mask of previous) {
      const lowest = mask === 0 ? 0 : 32 - Math.clz32(mask);
      for (let bit = lowest; bit < BAND_BITS; bit++) next.push(mask | (1 << bit));
    }
    masks.push(...next);
    previous = next;
  }
  return masks;
}

function popcount16(value: number): number {
  let bits = 0;
  for (let v = value; v !== 0; v &= v - 1) bits++;
  return bits;
}
