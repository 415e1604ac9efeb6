import { describe, expect, it } from 'vitest';
import {
  MAX_RECALL_DISTANCE,
  bandProbes,
  hammingDistance,
  hashBands,
  isImageHash,
} from './hash.js';

/** `hash` with the given bits flipped (bit 0 is the most significant). */
function flip(hash: string, bits: readonly number[]): string {
  let value = BigInt(`0x${hash}`);
  for (const bit of bits) value ^= 1n << BigInt(63 - bit);
  return value.toString(16).padStart(16, '0');
}

/** A deterministic source of 64-bit hashes (xorshift), so a failure can be replayed. */
function hashSource(seed: bigint): () => string {
  let x = seed;
  const mask = (1n << 64n) - 1n;
  return () => {
    x ^= (x << 13n) & mask;
    x ^= x >> 7n;
    x ^= (x << 17n) & mask;
    return x.toString(16).padStart(16, '0');
  };
}

describe('hammingDistance', () => {
  it.each([
    ['0000000000000000', '0000000000000000', 0],
    ['0000000000000000', 'ffffffffffffffff', 64],
    ['0000000000000000', '000000000000000f', 4],
    ['8000000000000001', '0000000000000000', 2],
    ['0123456789abcdef', 'fedcba9876543210', 64],
    ['0f0f0f0f0f0f0f0f', '0f0f0f0f0f0f0f0e', 1],
  ])('%s and %s are %i bits apart', (a, b, bits) => {
    expect(hammingDistance(a, b)).toBe(bits);
    expect(hammingDistance(b, a)).toBe(bits);
  });

  it('refuses what is not a 64-bit hex hash', () => {
    for (const bad of ['', '0f', '0F0F0F0F0F0F0F0F', '0f0f0f0f0f0f0f0g', '0f0f0f0f0f0f0f0f0'])
      expect(() => hammingDistance(bad, '0000000000000000'), bad).toThrow(RangeError);
    expect(isImageHash('0123456789abcdef')).toBe(true);
  });
});

describe('hashBands', () => {
  it('cuts the hash into four 16-bit bands, most significant first', () => {
    expect(hashBands('0123456789abcdef')).toEqual([0x0123, 0x4567, 0x89ab, 0xcdef]);
  });
});

describe('bandProbes', () => {
  it.each([
    [0, 1],
    [3, 1],
    [4, 17],
    [10, 137],
    [15, 697],
    [16, 2517],
  ])('probes each band with every value within ⌊%i/4⌋ bits: %i values', (distance, count) => {
    const probes = bandProbes('0123456789abcdef', distance);
    expect(probes).toHaveLength(4);
    for (const [i, values] of probes.entries()) {
      expect(values).toHaveLength(count);
      expect(new Set(values).size).toBe(count);
      expect(values[0]).toBe(hashBands('0123456789abcdef')[i]);
      expect(values.every((v) => v >= 0 && v <= 0xffff)).toBe(true);
    }
  });

  it('refuses a distance it cannot serve', () => {
    for (const bad of [-1, 2.5, MAX_RECALL_DISTANCE + 1])
      expect(() => bandProbes('0123456789abcdef', bad), String(bad)).toThrow(RangeError);
  });

  // The store finds a remembered hash when one of its bands is among the probes: that must
  // hold for every hash within the distance, wherever its differing bits fall.
  it('reaches every hash within the distance, and the distance decides the rest', () => {
    const found = (query: string, stored: string, distance: number) =>
      bandProbes(query, distance).some((values, band) => values.includes(hashBands(stored)[band]!));
    const nextHash = hashSource(0x9e3779b97f4a7c15n);
    for (let round = 0; round < 300; round++) {
      const query = nextHash();
      const distance = round % (MAX_RECALL_DISTANCE + 1);
      // Flip `distance` distinct bits chosen by the stream, so they fall anywhere.
      const bits = new Set<number>();
      while (bits.size < distance) bits.add(parseInt(nextHash().slice(0, 2), 16) % 64);
      const stored = flip(query, [...bits]);
      expect(hammingDistance(query, stored)).toBe(distance);
      expect(found(query, stored, distance), `${query} ${stored} at ${distance}`).toBe(true);
    }
  });

  it('reaches a hash whose differing bits are spread evenly, the hardest case', () => {
    const query = '0000000000000000';
    // 10 bits as 3 + 3 + 2 + 2 over the bands: only the bands with 2 are within ⌊10/4⌋.
    const stored = flip(query, [0, 1, 2, 16, 17, 18, 32, 33, 48, 49]);
    const probes = bandProbes(query, 10);
    expect(probes[2]).toContain(hashBands(stored)[2]);
    expect(probes[0]).not.toContain(hashBands(stored)[0]);
  });
});
