/** Plain-text tables: columns padded to their widest cell. Pure. */

/**
 * Lays out a header and rows in columns two spaces apart; columns whose index is in
 * `rightAligned` (numbers) are padded on the left. Trailing spaces are trimmed.
 *
 * @example textColumns(['NAME', 'N'], [['a', '10']], [1]) // ['NAME   N', 'a     10']
 */
export function textColumns(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  return all.map((row) =>
    widths
      .map((width, c) =>
        rightAligned.includes(c) ? (row[c] ?? '').padStart(width) : (row[c] ?? '').padEnd(width),
      )
      .join('  ')
      .trimEnd(),
  );
}

/** A share as a percentage with one decimal; `-` when undefined. */
export const percent = (share: number | null) =>
  share === null ? '-' : `${(share * 100).toFixed(1)}%`;

/** An F1 score with two decimals; `-` when undefined. */
export const ratio = (value: number | null) => (value === null ? '-' : value.toFixed(2));
