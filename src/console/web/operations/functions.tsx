/** Each function's health: counts, duration percentiles, recursion stops, recent logs. */
import type { FunctionsOverview } from '../../api-types.js';
import { api } from '../client.js';
import { formatCount, formatDateTime, formatOptionalDuration } from '../format.js';
import { useResource } from '../hooks.js';
import type { PageProps } from '../shell.js';

const POLL_MS = 10_000;

type FunctionStats = FunctionsOverview['functions'][number];

export function FunctionsPage(_props: PageProps) {
  const overview = useResource(() => api.functions(), [], POLL_MS);
  const functions = overview.data?.functions ?? null;
  return (
    <section class="page">
      <header class="page-head">
        <h1 tabIndex={-1}>Functions</h1>
        <p class="muted">
          Durations are of the attempts kept in the log. Refreshed every 10 seconds.
        </p>
      </header>
      {functions === null ? (
        <p aria-busy="true">Loading…</p>
      ) : functions.length === 0 ? (
        <p class="empty">No functions deployed.</p>
      ) : (
        functions.map((fn) => <FunctionCard key={fn.name} fn={fn} />)
      )}
    </section>
  );
}

function FunctionCard({ fn }: { fn: FunctionStats }) {
  const headingId = `function-${fn.name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const stats: [string, string, boolean][] = [
    ['Invocations', formatCount(fn.invocations), false],
    ['Succeeded', formatCount(fn.succeeded), false],
    ['Failed', formatCount(fn.failed), fn.failed > 0],
    ['Pending', formatCount(fn.pending), false],
    ['p50', formatOptionalDuration(fn.durationP50), false],
    ['p95', formatOptionalDuration(fn.durationP95), false],
    ['p99', formatOptionalDuration(fn.durationP99), false],
    ['Recursion stops', formatCount(fn.recursionStops), fn.recursionStops > 0],
  ];
  return (
    <article
      class="card function"
      data-testid="function"
      data-name={fn.name}
      aria-labelledby={headingId}
    >
      <h2 id={headingId} class="key">
        {fn.name}
      </h2>
      <dl class="stats">
        {stats.map(([name, value, alert]) => (
          <div key={name} class={alert ? 'alert' : undefined}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h3>Recent invocations</h3>
      {fn.recent.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <ul class="invocations">
          {fn.recent.map((run) => (
            <li key={run.requestId}>
              <details data-testid="invocation">
                <summary>
                  <span class={`state state-${run.state}`}>{run.state}</span>{' '}
                  <span class="key">{run.requestId}</span>{' '}
                  <span class="muted">
                    {formatDateTime(run.acceptedAt)} · {run.attempts}{' '}
                    {run.attempts === 1 ? 'attempt' : 'attempts'}
                  </span>
                </summary>
                <pre class="log">{run.log === '' ? '(no log)' : run.log}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
