import type { SqliteDatabase } from './database.js';
import {
  OBJECT_COLUMNS_WITHOUT_DATA,
  objectFromRow,
  prefixUpperBound,
  type ObjectRow,
} from './rows.js';
import type { ListEntriesQuery, ListEntriesResult } from './types.js';

/** Where a key scan resumes. */
export interface Cursor {
  key: string;
  inclusive: boolean;
}

/**
 * Lists a bucket's keys in UTF-8 binary order, rolling keys that contain the delimiter
 * after the prefix into common prefixes. Each common prefix costs one index seek: the scan
 * jumps past all keys under it instead of reading them.
 */
export function listEntries(
  db: SqliteDatabase,
  bucket: string,
  query: ListEntriesQuery,
): ListEntriesResult {
  const { prefix, delimiter, maxKeys } = query;
  const result: ListEntriesResult = { objects: [], commonPrefixes: [], isTruncated: false };
  if (maxKeys <= 0) return result;
  const upper = prefix ? prefixUpperBound(prefix) : undefined;
  let cursor: Cursor = { key: prefix, inclusive: true };
  if (query.after !== undefined && query.after >= prefix) {
    cursor = { key: query.after, inclusive: false };
    // A marker inside a common prefix means that prefix was already returned: skip all of it.
    const rolled = delimiter ? commonPrefixOf(query.after, prefix, delimiter) : undefined;
    if (rolled !== undefined) cursor = skipPast(rolled) ?? cursor;
  }
  const batch = Math.min(maxKeys + 1, 1000);
  const select = (c: Cursor) =>
    db
      .prepare(
        `SELECT ${OBJECT_COLUMNS_WITHOUT_DATA} FROM objects WHERE bucket = ? AND key ${c.inclusive ? '>=' : '>'} ?` +
          (upper !== undefined ? ' AND key < ?' : '') +
          ' ORDER BY key LIMIT ?',
      )
      .all(
        ...(upper !== undefined ? [bucket, c.key, upper, batch] : [bucket, c.key, batch]),
      ) as ObjectRow[];

  let count = 0;
  for (;;) {
    const rows = select(cursor);
    if (rows.length === 0) return result;
    let jumped = false;
    for (const row of rows) {
      const rolled = delimiter ? commonPrefixOf(row.key, prefix, delimiter) : undefined;
      if (count === maxKeys) {
        result.isTruncated = true;
        return result;
      }
      count++;
      if (rolled !== undefined) {
        result.commonPrefixes.push(rolled);
        result.last = rolled;
        const next = skipPast(rolled);
        if (next === undefined) return result;
        cursor = next;
        jumped = true;
        break;
      }
      result.objects.push(objectFromRow(row));
      result.last = row.key;
      cursor = { key: row.key, inclusive: false };
    }
    if (!jumped && rows.length < batch) return result;
  }
}

/** The common prefix `key` rolls into (up to and with the first delimiter after `prefix`). */
export function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

/** The cursor just past every key under `commonPrefix`; undefined past the last key. */
export function skipPast(commonPrefix: string): Cursor | undefined {
  const next = prefixUpperBound(commonPrefix);
  return next === undefined ? undefined : { key: next, inclusive: true };
}
