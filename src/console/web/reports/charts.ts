/** The three report charts, built from a `ReportResponse`. */
import type { ChartConfiguration } from 'chart.js';
import type { ReportResponse } from '../../api-types.js';
import { formatShare } from '../format.js';
import { cssColor } from './chart.js';
import { periodLabel } from './range.js';

type Decision = keyof ReportResponse['periods'][number]['decisions'];

const DECISIONS: { key: Decision; label: string }[] = [
  { key: 'clean', label: 'Clean' },
  { key: 'review', label: 'Flagged' },
  { key: 'blocked', label: 'Blocked' },
  { key: 'failed', label: 'Failed' },
  { key: 'skipped', label: 'Skipped' },
];

/** Long label names would push the bars off the card; the tooltip has the full name. */
function shorten(text: string, max = 24): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Upright period labels, thinned out by Chart.js when they do not fit. */
const periodTicks = { maxRotation: 0, autoSkipPadding: 16 } as const;

const shared = {
  responsive: true,
  maintainAspectRatio: false,
  interaction: { mode: 'index', intersect: false },
} as const;

export function processedChart(report: ReportResponse): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: report.periods.map((period) => periodLabel(period.start, report.granularity)),
      datasets: DECISIONS.map(({ key, label }) => ({
        label,
        data: report.periods.map((period) => period.decisions[key]),
        backgroundColor: cssColor(`--chart-${key}`),
        stack: 'decisions',
      })),
    },
    options: {
      ...shared,
      scales: {
        x: { stacked: true, grid: { display: false }, ticks: periodTicks },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  };
}

/** Shares can add up to more than 100%: one image may carry several top-level labels. */
export function labelShareChart(report: ReportResponse): ChartConfiguration<'bar'> {
  const processed = report.totals.processed;
  const rows = [...report.totals.byTopLevelLabel].sort((a, b) => b.count - a.count);
  return {
    type: 'bar',
    data: {
      labels: rows.map((row) => row.label),
      datasets: [
        {
          label: 'Share of processed images',
          data: rows.map((row) => (processed === 0 ? 0 : (row.count / processed) * 100)),
          backgroundColor: cssColor('--chart-review'),
        },
      ],
    },
    options: {
      ...shared,
      indexAxis: 'y',
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (item) => {
              const row = rows[item.dataIndex];
              return row === undefined
                ? ''
                : `${formatShare(processed === 0 ? 0 : row.count / processed)} (${row.count} images)`;
            },
          },
        },
      },
      scales: {
        x: { beginAtZero: true, ticks: { callback: (value) => `${value}%` } },
        y: {
          grid: { display: false },
          ticks: { callback: (_value, index) => shorten(rows[index]?.label ?? '') },
        },
      },
    },
  };
}

export function latencyChart(report: ReportResponse): ChartConfiguration<'line'> {
  const worst = Math.max(0, ...report.periods.map((period) => period.latencyP99 ?? 0));
  // Milliseconds read better below two seconds, seconds above.
  const [unit, divisor] = worst < 2000 ? ['ms', 1] : ['s', 1000];
  const series = (pick: (p: ReportResponse['periods'][number]) => number | null) =>
    report.periods.map((period) => {
      const value = pick(period);
      return value === null ? null : value / divisor;
    });
  const line = (label: string, data: (number | null)[], color: string) => ({
    label,
    data,
    borderColor: color,
    backgroundColor: color,
    pointRadius: 2,
    spanGaps: true,
    tension: 0.2,
  });
  return {
    type: 'line',
    data: {
      labels: report.periods.map((period) => periodLabel(period.start, report.granularity)),
      datasets: [
        line(
          'p50',
          series((p) => p.latencyP50),
          cssColor('--chart-p50'),
        ),
        line(
          'p95',
          series((p) => p.latencyP95),
          cssColor('--chart-p95'),
        ),
        line(
          'p99',
          series((p) => p.latencyP99),
          cssColor('--chart-p99'),
        ),
      ],
    },
    options: {
      ...shared,
      scales: {
        x: { grid: { display: false }, ticks: periodTicks },
        y: {
          beginAtZero: true,
          title: { display: true, text: `Upload to verdict (${unit})` },
        },
      },
    },
  };
}
