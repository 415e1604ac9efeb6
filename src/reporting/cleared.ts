import type { RecordKey, ReportStore } from './types.js';

/**
 * Whether an object write may be served where only cleared content is (the gate's closed
 * mode): the pipeline judged it clean, or a reviewer approved it. Anything else — no record
 * yet, blocked, sent to review, failed, skipped — is not cleared.
 *
 * @example
 * if (await isCleared(reports, { bucket: 'uploads', key: 'cat.jpg', writeId })) serve();
 */
export async function isCleared(reports: ReportStore, write: RecordKey): Promise<boolean> {
  const record = await reports.findRecord(write);
  if (!record) return false;
  if (record.decision === 'clean') return true;
  return (await reports.findReviewItem(write))?.status === 'approved';
}
