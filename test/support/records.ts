import type { ReportStore, TrackingRecord } from '../../src/reporting/index.js';

/**
 * The latest tracking record of an upload, found by its key and the ETag its PUT answered
 * (records are keyed by the write's sequencer, which a PUT's answer does not carry).
 */
export async function recordOfUpload(
  reports: Pick<ReportStore, 'recordsFor'>,
  bucket: string,
  key: string,
  etag: string,
): Promise<TrackingRecord | undefined> {
  const unquoted = etag.replaceAll('"', '');
  return (await reports.recordsFor(bucket, key)).filter((r) => r.etag === unquoted).at(-1);
}
