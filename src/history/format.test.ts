import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatLabels, formatTags, plural } from './format.js';

const label = (Name: string, ParentName: string, TaxonomyLevel: number, Confidence: number) => ({
  Name,
  ParentName,
  TaxonomyLevel,
  Confidence,
});

describe('format', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [1_258_291, '1.2 MB'],
    [5 * 1024 ** 3, '5.0 GB'],
    [3 * 1024 ** 5, '3072.0 TB'],
  ])('formatBytes(%i) = %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));

  it.each([
    [0, '0 ms'],
    [43.4, '43 ms'],
    [-12, '-12 ms'],
    [1500, '1.5 s'],
    [90_000, '1.5 min'],
    [5_400_000, '1.5 h'],
    [2 * 86_400_000, '2.0 d'],
  ])('formatDuration(%d) = %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([
    [[], 'no labels'],
    [
      [label('Explicit', '', 1, 97.5), label('Explicit Nudity', 'Explicit', 2, 97.5)],
      'Explicit Nudity 97.5%',
    ],
    [
      [
        label('Suggestive', '', 1, 60),
        label('Swimwear or Underwear', 'Suggestive', 2, 60),
        label('Violence', '', 1, 80.25),
        label('Drugs', '', 1, 51),
        label('Tobacco', '', 1, 50),
      ],
      'Violence 80.3%, Swimwear or Underwear 60.0%, Drugs 51.0%',
    ],
  ])('formatLabels #%#', (labels, text) => expect(formatLabels(labels)).toBe(text));

  it('formats tags and plurals', () => {
    expect(formatTags([])).toBe('none');
    expect(
      formatTags([
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '' },
      ]),
    ).toBe('a=1, b=');
    expect(plural(1, 'attempt')).toBe('1 attempt');
    expect(plural(2, 'attempt')).toBe('2 attempts');
  });
});
