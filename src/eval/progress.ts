/**
 * A one-line progress bar for a terminal. No dependency: a bar is a line redrawn after `\r`.
 */

/**
 * The bar's text for `done` of `total`, fitting in `width` columns.
 *
 * @example progressLine(5, 20, 40) // '[######..................]  5/20 images'
 */
export function progressLine(done: number, total: number, width: number): string {
  const counter = ` ${String(done).padStart(String(total).length)}/${total} images`;
  const barWidth = Math.max(0, Math.min(40, width - counter.length - 3));
  const filled = total === 0 ? barWidth : Math.round((done / total) * barWidth);
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${counter}`;
}

export interface Progress {
  update(done: number, total: number): void;
  /** Erases the bar, leaving the line as it was. */
  finish(): void;
}

/** Where a bar can be drawn: `process.stderr`, or a test's stand-in. */
export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const SILENT: Progress = { update: () => {}, finish: () => {} };
// Redrawing for every image of a fast run would cost more than it shows.
const REDRAW_MS = 100;

/** A bar on `stream` when it is a terminal; when output is piped or logged, nothing. */
export function progressBar(stream: TextStream): Progress {
  if (!stream.isTTY) return SILENT;
  let drawnAt = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - drawnAt < REDRAW_MS) return;
      drawnAt = now;
      drawn = true;
      stream.write(`\r${progressLine(done, total, stream.columns || 80)}`);
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
