/**
 * Image memory in the reporting store, for both dialects: the rows, which remembered images
 * carry a verdict, and the exact distance check after the band probes (ADR 14).
 */
import { bandProbes, hammingDistance, hashBands } from '../memory/index.js';
import { toTrackingRecord, type TrackingRow } from './sqlite-rows.js';
import type { ImageRecall, RecalledImage, RecordKey, RememberedImage } from './types.js';

export interface MemoryRow {
  bucket: string;
  key: string;
  write_id: string;
  algorithm: string;
  hash: string;
  precedent_bucket: string | null;
  precedent_key: string | null;
  precedent_write_id: string | null;
}

/** A record with the image remembered with it, as the recall query selects them. */
export type RecalledRow = TrackingRow & {
  memory_algorithm: string;
  memory_hash: string;
  precedent_bucket: string | null;
  precedent_key: string | null;
  precedent_write_id: string | null;
};

/** The recall query's columns: the record's, and the remembered image's renamed. */
export const RECALLED_COLUMNS = `t.*, m.algorithm AS memory_algorithm, m.hash AS memory_hash,
  m.precedent_bucket, m.precedent_key, m.precedent_write_id`;

/**
 * Which remembered images carry a verdict: a reviewer decided the write, or the moderator
 * blocked it (not memory: a verdict drawn from memory is not drawn on again).
 */
export const CARRIES_VERDICT = `(t.review_action IS NOT NULL
  OR (t.decision = 'blocked' AND m.precedent_write_id IS NULL))`;

/** The image's columns in table order after the key: algorithm, hash, bands, precedent. */
export function memoryValues(
  image: RememberedImage,
): [string, string, number, number, number, number, string | null, string | null, string | null] {
  const bands = hashBands(image.hash);
  const { precedent } = image;
  return [
    image.algorithm,
    image.hash,
    ...bands,
    precedent?.bucket ?? null,
    precedent?.key ?? null,
    precedent?.writeId ?? null,
  ];
}

/** The values each band is probed with (throws a RangeError for an unusable distance). */
export function recallProbes(query: ImageRecall): number[][] {
  return bandProbes(query.hash, query.maxDistance);
}

/**
 * The candidates the band probes found, cut to those within the distance: nearest first,
 * then newest first (by the record's processing end), then by bucket, key and write (so
 * both stores list ties alike), at most `limit`.
 */
export function nearestFirst(rows: readonly RecalledRow[], query: ImageRecall): RecalledImage[] {
  return rows
    .map((row) => ({ row, distance: hammingDistance(query.hash, row.memory_hash) }))
    .filter(({ distance }) => distance <= query.maxDistance)
    .sort(
      (a, b) =>
        a.distance - b.distance ||
        b.row.processing_end - a.row.processing_end ||
        byText(a.row.bucket, b.row.bucket) ||
        byText(a.row.key, b.row.key) ||
        byText(a.row.write_id, b.row.write_id),
    )
    .slice(0, query.limit ?? 20)
    .map(({ row, distance }) => ({
      record: toTrackingRecord(row),
      image: rememberedImage({
        algorithm: row.memory_algorithm,
        hash: row.memory_hash,
        precedent_bucket: row.precedent_bucket,
        precedent_key: row.precedent_key,
        precedent_write_id: row.precedent_write_id,
      }),
      distance,
    }));
}

export function rememberedImage(
  row: Pick<
    MemoryRow,
    'algorithm' | 'hash' | 'precedent_bucket' | 'precedent_key' | 'precedent_write_id'
  >,
): RememberedImage {
  const precedent: RecordKey | null =
    row.precedent_write_id === null
      ? null
      : { bucket: row.precedent_bucket!, key: row.precedent_key!, writeId: row.precedent_write_id };
  return { hash: row.hash, algorithm: row.algorithm, precedent };
}

/** Code-unit order, as SQLite's BINARY and PostgreSQL's "C" collation compare names. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
