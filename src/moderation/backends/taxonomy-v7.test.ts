import { describe, expect, it } from 'vitest';
import { CLASS_MAPPING } from '../taxonomy.js';
import { TAXONOMY_V7, ancestry } from './taxonomy-v7.js';

describe('TAXONOMY_V7', () => {
  it('has the 10 level-1, 20 level-2 and 22 level-3 names of the v7 taxonomy', () => {
    const count = (level: number) =>
      [...TAXONOMY_V7.values()].filter((e) => e.TaxonomyLevel === level).length;
    expect([count(1), count(2), count(3)]).toEqual([10, 20, 22]);
  });

  it('gives every label a parent one level up', () => {
    for (const entry of TAXONOMY_V7.values()) {
      if (entry.TaxonomyLevel === 1) expect(entry.ParentName).toBe('');
      else expect(TAXONOMY_V7.get(entry.ParentName)?.TaxonomyLevel).toBe(entry.TaxonomyLevel - 1);
    }
  });

  it('agrees with the labels the local model reports', () => {
    for (const mapping of Object.values(CLASS_MAPPING))
      for (const node of mapping.labels) expect(TAXONOMY_V7.get(node.Name)).toEqual(node);
  });

  it('returns a label with its ancestors, deepest first', () => {
    expect(ancestry('Air Crash')?.map((e) => e.Name)).toEqual([
      'Air Crash',
      'Crashes',
      'Visually Disturbing',
    ]);
    expect(ancestry('Gambling')?.map((e) => e.Name)).toEqual(['Gambling']);
    expect(ancestry('Nudity')).toBeUndefined();
    expect(ancestry('')).toBeUndefined();
  });
});
