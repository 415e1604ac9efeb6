import { PostgresReportStore } from './postgres.js';
import { SqliteReportStore, reportsDatabasePath } from './sqlite.js';
import type { ReportStore } from './types.js';

export interface OpenReportStoreOptions {
  /** `reporting.url`: `postgres://…` or `postgresql://…`; unset for SQLite in `dataDir`. */
  url?: string;
  /** `reporting.schema`: PostgreSQL only. */
  schema?: string;
  dataDir: string;
}

/**
 * The configured `ReportStore`: PostgreSQL at `reporting.url`, or the embedded SQLite file
 * `<dataDir>/reports.db` when there is none. Either way the schema is brought up to date.
 *
 * @example
 * const reports = await openReportStore({ url: config.reporting.url, dataDir: config.dataDir });
 */
export async function openReportStore(options: OpenReportStoreOptions): Promise<ReportStore> {
  const { url, dataDir } = options;
  if (url === undefined) return SqliteReportStore.open(reportsDatabasePath(dataDir));
  if (/^postgres(ql)?:\/\//i.test(url))
    return PostgresReportStore.open(url, options.schema ? { schema: options.schema } : {});
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new Error(
    `reporting.url: ${scheme ? `the scheme ${scheme}: is not supported` : 'not a URL'}; expected postgres://… or postgresql://…, or leave it unset for SQLite in ${reportsDatabasePath(dataDir)}`,
  );
}
