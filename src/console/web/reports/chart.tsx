/**
 * One Chart.js chart on a canvas. Only the pieces the reports use are registered, so the
 * bundle carries no other chart types; colours come from the stylesheet's custom properties
 * so light and dark themes stay in one place.
 */
import type { ChartConfiguration } from 'chart.js';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef, useState } from 'preact/hooks';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

export function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function applyTheme(): void {
  Chart.defaults.color = cssColor('--muted');
  Chart.defaults.borderColor = cssColor('--grid');
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
}

const darkQuery = matchMedia('(prefers-color-scheme: dark)');
const schemeNow = () => (darkQuery.matches ? 'dark' : 'light');

/** Changes when the colour scheme does, so charts can be rebuilt with the new colours. */
export function useColorScheme(): string {
  const [scheme, setScheme] = useState(schemeNow);
  useEffect(() => {
    const update = () => setScheme(schemeNow());
    darkQuery.addEventListener('change', update);
    return () => darkQuery.removeEventListener('change', update);
  }, []);
  return scheme;
}

interface Props {
  config: ChartConfiguration<'bar' | 'line'>;
  /** What the chart shows, in words, for screen readers. */
  label: string;
  testid: string;
}

export function ChartCanvas({ config, label, testid }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<{ instance: Chart<'bar' | 'line'>; type: string } | null>(null);

  useEffect(() => {
    if (canvas.current === null) return;
    applyTheme();
    const existing = chart.current;
    if (existing !== null && existing.type === config.type) {
      // New numbers for the same chart: no replayed animation on every refresh.
      existing.instance.data = config.data;
      existing.instance.options = config.options ?? {};
      existing.instance.update('none');
      return;
    }
    existing?.instance.destroy();
    chart.current = { instance: new Chart(canvas.current, config), type: config.type };
  }, [config]);
  useEffect(() => () => chart.current?.instance.destroy(), []);

  return (
    <div class="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} data-testid={testid}>
        {label}
      </canvas>
    </div>
  );
}
