/**
 * Which frames of an animation to classify: all of them when there are at most `max`,
 * otherwise `max` frames evenly spaced from the first to the last, so a flagged scene at
 * either end or in the middle has a frame in the sample.
 *
 * @example pickFrames(100, 5) // [0, 25, 50, 74, 99]
 */
export function pickFrames(total: number, max: number): number[] {
  if (!Number.isInteger(total) || total < 1)
    throw new RangeError(`total must be ≥ 1, got ${total}`);
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be ≥ 1, got ${max}`);
  if (total <= max) return Array.from({ length: total }, (_, i) => i);
  if (max === 1) return [0];
  return Array.from({ length: max }, (_, k) => Math.round((k * (total - 1)) / (max - 1)));
}
