import { ConfigError } from '../config/index.js';
import { exportAudit, exportRecords, type ExportFormat } from '../reporting/index.js';
import { openReportStore } from '../reporting/open.js';

export interface ReportOptions {
  /** ISO 8601; default 7 days before `to`. */
  from?: string | undefined;
  /** ISO 8601, excluded; default now. */
  to?: string | undefined;
  format: ExportFormat;
  /** The audit log instead of the tracking records. */
  audit: boolean;
}

/**
 * `vigil report`: tracking records (by the end of their processing) or audit entries in a
 * date range, as CSV or JSON on stdout, read from the configured reporting store whether or
 * not Vigil is running.
 */
export async function printReport(
  store: { dataDir: string; url?: string | undefined; schema?: string | undefined },
  options: ReportOptions,
  write: (text: string) => void,
  now = Date.now(),
): Promise<void> {
  const to = parseDate('--to', options.to, now);
  const from = parseDate('--from', options.from, to - 7 * 86_400_000);
  if (from >= to) throw new ConfigError('--from must be before --to.');
  const reports = await openReportStore({
    dataDir: store.dataDir,
    ...(store.url ? { url: store.url } : {}),
    ...(store.schema ? { schema: store.schema } : {}),
  });
  try {
    const range = { from, to };
    write(
      options.audit
        ? exportAudit(await reports.auditLog(range, Number.MAX_SAFE_INTEGER), options.format)
        : exportRecords(
            await reports.recordsBetween(range, Number.MAX_SAFE_INTEGER),
            options.format,
          ),
    );
  } finally {
    await reports.close();
  }
}

function parseDate(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms))
    throw new ConfigError(
      `${flag}: expected an ISO 8601 date or time, e.g. 2026-11-24 or 2026-11-24T12:00:00Z.`,
    );
  return ms;
}
