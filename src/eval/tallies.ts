/** Per-folder counts: the policy's decisions, and the confusion table. Pure. */
import { CATEGORY_NAMES, lineage } from './categories.js';
import {
  CLEAN,
  type ConfusionTable,
  type DecisionRow,
  type EvalSet,
  type ImageReport,
} from './types.js';

export const NONE_COLUMN = 'none';
export const FAILED_COLUMN = 'failed';

/** What the pipeline would have done with each folder's images. */
export function decisionRows(set: EvalSet, images: readonly ImageReport[]): DecisionRow[] {
  return set.folders.map(({ folder }) => {
    const row: DecisionRow = { folder, blocked: 0, review: 0, clean: 0, failed: 0 };
    for (const image of images) if (image.folder === folder) row[image.decision]++;
    return row;
  });
}

/**
 * Rows: the folders. Columns: the level-1 category of the label that decided each image,
 * `none` when no label reached its threshold, `failed` when the image was not judged. Each
 * image lands in one cell, so a row adds up to its folder's images.
 */
export function confusionTable(set: EvalSet, images: readonly ImageReport[]): ConfusionTable {
  const wanted = new Set<string>();
  for (const { expected } of set.folders)
    if (expected !== CLEAN) wanted.add(lineage(expected).at(-1)!);
  for (const { topCategory } of images) if (topCategory !== null) wanted.add(topCategory);
  const levelOne = CATEGORY_NAMES.filter((c) => c.level === 1).map((c) => c.category);
  const categories = [
    ...levelOne.filter((name) => wanted.has(name)),
    ...[...wanted].filter((name) => !levelOne.includes(name)).sort(),
  ];
  const columns = [...categories, NONE_COLUMN, FAILED_COLUMN];
  const columnOf = (image: ImageReport) =>
    image.decision === 'failed'
      ? columns.length - 1
      : image.topCategory === null
        ? columns.length - 2
        : columns.indexOf(image.topCategory);
  return {
    columns,
    rows: set.folders.map(({ folder, expected }) => {
      const counts = columns.map(() => 0);
      for (const image of images) if (image.folder === folder) counts[columnOf(image)]!++;
      return { folder, expected, counts };
    }),
  };
}
