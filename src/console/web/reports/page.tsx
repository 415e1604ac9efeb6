/** Throughput, flag rates, latency and cost over a chosen range, with exports. */
import { useMemo, useState } from 'preact/hooks';
import type { ReportResponse } from '../../api-types.js';
import { exportUrl } from '../api.js';
import { api } from '../client.js';
import { formatCount } from '../format.js';
import { useResource } from '../hooks.js';
import type { PageProps } from '../shell.js';
import { ChartCanvas, useColorScheme } from './chart.js';
import { labelShareChart, latencyChart, processedChart } from './charts.js';
import type { DayRange } from './range.js';
import { lastSevenDays, rangeToIso } from './range.js';
import { ReportTiles } from './tiles.js';

const POLL_MS = 60_000;
type Granularity = ReportResponse['granularity'];

export function ReportsPage(_props: PageProps) {
  const [range, setRange] = useState<DayRange>(() => lastSevenDays());
  const [granularity, setGranularity] = useState<Granularity>('day');
  const iso = rangeToIso(range);
  const from = iso?.from ?? '';
  const to = iso?.to ?? '';
  const report = useResource(
    () => (iso === null ? Promise.resolve(null) : api.reports(from, to, granularity)),
    [from, to, granularity],
    POLL_MS,
  );

  return (
    <section class="page">
      <header class="page-head">
        <h1 tabIndex={-1}>Reports</h1>
      </header>
      <form class="card toolbar" onSubmit={(event) => event.preventDefault()}>
        <div class="field">
          <label for="report-from">From</label>
          <input
            id="report-from"
            type="date"
            data-testid="report-from"
            value={range.from}
            max={range.to}
            required
            onChange={(event) => setRange({ ...range, from: event.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="report-to">To</label>
          <input
            id="report-to"
            type="date"
            data-testid="report-to"
            value={range.to}
            min={range.from}
            required
            onChange={(event) => setRange({ ...range, to: event.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="report-granularity">Per</label>
          <select
            id="report-granularity"
            data-testid="report-granularity"
            value={granularity}
            onChange={(event) => setGranularity(event.currentTarget.value as Granularity)}
          >
            <option value="day">Day</option>
            <option value="hour">Hour</option>
          </select>
        </div>
        {iso === null ? (
          <p class="field-error" role="alert">
            Choose a start on or before the end.
          </p>
        ) : (
          <Exports from={from} to={to} />
        )}
      </form>
      {iso === null ? null : report.data === null ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <Report report={report.data} />
      )}
    </section>
  );
}

function Exports({ from, to }: { from: string; to: string }) {
  const links = [
    ['records', 'csv', 'Records CSV'],
    ['records', 'json', 'Records JSON'],
    ['audit', 'csv', 'Audit log CSV'],
    ['audit', 'json', 'Audit log JSON'],
  ] as const;
  return (
    <nav class="exports" aria-label="Export this range">
      <span class="muted">Export:</span>
      {links.map(([what, format, text]) => (
        <a
          key={`${what}-${format}`}
          href={exportUrl(what, from, to, format)}
          download
          data-testid={`export-${what}-${format}`}
        >
          {text}
        </a>
      ))}
    </nav>
  );
}

function Report({ report }: { report: ReportResponse }) {
  const scheme = useColorScheme();
  const processed = useMemo(() => processedChart(report), [report, scheme]);
  const labels = useMemo(() => labelShareChart(report), [report, scheme]);
  const latency = useMemo(() => latencyChart(report), [report, scheme]);
  const per = report.granularity === 'day' ? 'day' : 'hour';
  return (
    <>
      <ReportTiles report={report} />
      <div class="charts">
        <figure class="card chart">
          <figcaption>Images processed per {per}, by decision</figcaption>
          <ChartCanvas
            config={processed}
            testid="chart-processed"
            label={`Bar chart of images processed per ${per}, stacked by decision: ${formatCount(report.totals.processed)} in all.`}
          />
        </figure>
        <figure class="card chart">
          <figcaption>Flagged images by top-level label (share of processed)</figcaption>
          {report.totals.byTopLevelLabel.length === 0 ? (
            <p class="empty">Nothing flagged in this range.</p>
          ) : (
            <ChartCanvas
              config={labels}
              testid="chart-labels"
              label={`Bar chart of the share of processed images per top-level label: ${report.totals.byTopLevelLabel
                .map((row) => `${row.label} ${row.count}`)
                .join(', ')}.`}
            />
          )}
        </figure>
        <figure class="card chart wide">
          <figcaption>Latency from upload to verdict: p50, p95, p99 per {per}</figcaption>
          <ChartCanvas
            config={latency}
            testid="chart-latency"
            label={`Line chart of latency percentiles from upload to verdict per ${per}.`}
          />
        </figure>
      </div>
    </>
  );
}
