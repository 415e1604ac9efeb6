import type { ModerationLabel } from '../moderation/index.js';
import { TAXONOMY_V7 } from '../moderation/backends/index.js';
import { lineage } from './categories.js';

/**
 * A v7 label with every ancestor, all at one confidence, as Rekognition (and the local
 * model) answer.
 *
 * @example withAncestors('Weapons', 91) // Weapons 91 (level 2), Violence 91 (level 1)
 */
export function withAncestors(name: string, confidence: number): ModerationLabel[] {
  return lineage(name).map((n) => ({ ...TAXONOMY_V7.get(n)!, Confidence: confidence }));
}
