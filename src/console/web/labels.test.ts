import { describe, expect, it } from 'vitest';
import type { Label } from '../api-types.js';
import { labelsToShow } from './labels.js';

const label = (Name: string, ParentName: string, TaxonomyLevel: number, Confidence: number) => ({
  Name,
  ParentName,
  TaxonomyLevel,
  Confidence,
});

describe('labelsToShow', () => {
  const cases: { name: string; labels: Label[]; shown: string[] }[] = [
    { name: 'nothing', labels: [], shown: [] },
    {
      name: 'a top-level label alone is shown',
      labels: [label('Explicit', '', 1, 88)],
      shown: ['Explicit 88 ()'],
    },
    {
      name: 'a level-2 label hides its top-level parent',
      labels: [label('Explicit', '', 1, 97.5), label('Explicit Nudity', 'Explicit', 2, 97.5)],
      shown: ['Explicit Nudity 97.5 (Explicit)'],
    },
    {
      name: 'a level-3 label hides both ancestors and keeps its level-2 parent',
      labels: [
        label('Explicit', '', 1, 90),
        label('Explicit Nudity', 'Explicit', 2, 90),
        label('Exposed Male Genitalia', 'Explicit Nudity', 3, 80),
      ],
      shown: ['Explicit Nudity 90 (Explicit)', 'Exposed Male Genitalia 80 (Explicit Nudity)'],
    },
    {
      name: 'unrelated top-level labels stay, sorted by confidence',
      labels: [
        label('Violence', '', 1, 60),
        label('Explicit', '', 1, 95),
        label('Explicit Nudity', 'Explicit', 2, 95),
      ],
      shown: ['Explicit Nudity 95 (Explicit)', 'Violence 60 ()'],
    },
    {
      name: 'a top-level label stays when the chain to it is broken',
      labels: [label('Explicit', '', 1, 70), label('Exposed Buttocks', 'Explicit Nudity', 3, 60)],
      shown: ['Explicit 70 ()', 'Exposed Buttocks 60 (Explicit Nudity)'],
    },
  ];
  it.each(cases)('$name', ({ labels, shown }) => {
    expect(labelsToShow(labels).map((l) => `${l.name} ${l.confidence} (${l.parent})`)).toEqual(
      shown,
    );
  });
});
