/**
 * The dead letters of the `vigil worker` event source (a JetStream `<stream>_DLQ` or an SQS
 * dead-letter queue), shown when the console is set to (console.workerDeadLetters), with
 * redrive back to the source.
 */
import { useState } from 'preact/hooks';
import type { WorkerDeadLettersOverview, WorkerRedriveRequest } from '../../api-types.js';
import { api } from '../client.js';
import { formatCount, formatDateTime } from '../format.js';
import { useResource } from '../hooks.js';
import { useNotices } from '../notices.js';

const POLL_MS = 10_000;

type Letter = WorkerDeadLettersOverview['letters'][number];

export function WorkerDeadLetters() {
  const { report, notify } = useNotices();
  const overview = useResource(() => api.workerDeadLetters(), [], POLL_MS);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const data = overview.data;
  if (data === null || data.source === null) return null;

  const redrive = async (request: WorkerRedriveRequest, what: string) => {
    setBusy(true);
    try {
      const { redriven } = await api.workerRedrive(request);
      notify(
        `Redriven ${formatCount(redriven)} worker ${redriven === 1 ? 'message' : 'messages'} (${what})`,
      );
      setSelected(new Set());
      await overview.reload();
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };
  const chosen = data.letters.filter((l) => selected.has(l.id)).map((l) => l.id);
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  return (
    <>
      <div class="section-head">
        <h2>Worker dead letters</h2>
        <button
          type="button"
          class="primary"
          data-testid="worker-redrive-selected"
          disabled={busy || chosen.length === 0}
          onClick={() => void redrive({ ids: chosen }, 'selected')}
        >
          Redrive selected{chosen.length === 0 ? '' : ` (${chosen.length})`}
        </button>
        <button
          type="button"
          class="secondary"
          data-testid="worker-redrive-all"
          disabled={busy || data.letters.length === 0}
          onClick={() => void redrive({ all: true }, 'all')}
        >
          Redrive all
        </button>
      </div>
      <p class="muted" data-testid="worker-dead-letters-source">
        {data.source}
      </p>
      {data.error !== undefined ? (
        <p class="error-text" role="alert">
          Cannot read the worker dead letters: {data.error}
        </p>
      ) : data.letters.length === 0 ? (
        <p class="empty">No worker dead letters.</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="worker-dead-letters-table">
            <thead>
              <tr>
                <th scope="col" class="check">
                  <span class="visually-hidden">Select</span>
                </th>
                <th scope="col">Message</th>
                <th scope="col">Event</th>
                <th scope="col" class="num">
                  Attempts
                </th>
                <th scope="col">Reason</th>
                <th scope="col">Dead since</th>
              </tr>
            </thead>
            <tbody>
              {data.letters.map((letter: Letter) => (
                <tr key={letter.id} data-testid="worker-dead-letter" data-id={letter.id}>
                  <td class="check">
                    <input
                      type="checkbox"
                      aria-label={`Select worker dead letter ${letter.id}`}
                      data-testid="worker-dead-letter-select"
                      checked={chosen.includes(letter.id)}
                      onChange={(event) => toggle(letter.id, event.currentTarget.checked)}
                    />
                  </td>
                  <td class="key">{letter.id}</td>
                  <td class="key">{letter.summary}</td>
                  <td class="num">{letter.attempts ?? '—'}</td>
                  <td class="error-text">{letter.reason}</td>
                  <td>{letter.deadAt === null ? '—' : formatDateTime(letter.deadAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
