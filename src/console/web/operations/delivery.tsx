/** Where events stand per destination, and the dead letters an admin can send again. */
import { useState } from 'preact/hooks';
import type { DeliveryOverview, RedriveRequest } from '../../api-types.js';
import { api } from '../client.js';
import { formatAge, formatCount, formatDateTime } from '../format.js';
import { useNow, useResource } from '../hooks.js';
import { useNotices } from '../notices.js';
import type { PageProps } from '../shell.js';
import { WorkerDeadLetters } from './worker-dead-letters.js';

const POLL_MS = 10_000;

type DeadLetter = DeliveryOverview['deadLetters'][number];

export function DeliveryPage(_props: PageProps) {
  const { report, notify } = useNotices();
  const overview = useResource(() => api.delivery(), [], POLL_MS);
  const now = useNow();
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [busy, setBusy] = useState(false);

  const redrive = async (request: RedriveRequest, what: string) => {
    setBusy(true);
    try {
      const { redriven } = await api.redrive(request);
      notify(`Redriven ${formatCount(redriven)} ${redriven === 1 ? 'event' : 'events'} (${what})`);
      setSelected(new Set());
      await overview.reload();
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };

  const data = overview.data;
  if (data === null) {
    return (
      <section class="page">
        <PageHead />
        <p aria-busy="true">Loading…</p>
      </section>
    );
  }
  // Letters redriven or gone since they were ticked no longer count.
  const chosen = data.deadLetters.filter((letter) => selected.has(letter.id)).map((l) => l.id);

  return (
    <section class="page">
      <PageHead />
      <h2>Destinations</h2>
      {data.destinations.length === 0 ? (
        <p class="empty">No destinations configured.</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="destinations-table">
            <thead>
              <tr>
                <th scope="col">Destination</th>
                <th scope="col" class="num">
                  Pending
                </th>
                <th scope="col" class="num">
                  Dead
                </th>
                <th scope="col">Oldest pending</th>
                <th scope="col" class="num">
                  Delivered (1 h)
                </th>
                <th scope="col" class="num">
                  Failed (1 h)
                </th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.destinations.map((row) => (
                <tr key={row.destination} data-testid="destination-row">
                  <th scope="row" class="key">
                    {row.destination}
                  </th>
                  <td class="num">{formatCount(row.pending)}</td>
                  <td class={`num${row.dead > 0 ? ' alert' : ''}`}>{formatCount(row.dead)}</td>
                  <td>
                    {row.oldestPendingAt === null ? '—' : formatAge(now - row.oldestPendingAt)}
                  </td>
                  <td class="num">{formatCount(row.deliveredLastHour)}</td>
                  <td class={`num${row.failedLastHour > 0 ? ' alert' : ''}`}>
                    {formatCount(row.failedLastHour)}
                  </td>
                  <td>
                    {row.dead === 0 ? null : (
                      <button
                        type="button"
                        class="secondary small"
                        data-testid="redrive-destination"
                        data-destination={row.destination}
                        disabled={busy}
                        onClick={() =>
                          void redrive({ destination: row.destination }, row.destination)
                        }
                      >
                        Redrive all of {row.destination}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <DeadLetters
        letters={data.deadLetters}
        chosen={chosen}
        busy={busy}
        onChoose={setSelected}
        onRedrive={() => void redrive({ ids: chosen }, 'selected')}
      />
      <WorkerDeadLetters />
    </section>
  );
}

function PageHead() {
  return (
    <header class="page-head">
      <h1 tabIndex={-1}>Delivery</h1>
      <p class="muted">Refreshed every 10 seconds.</p>
    </header>
  );
}

interface DeadLettersProps {
  letters: readonly DeadLetter[];
  chosen: readonly number[];
  busy: boolean;
  onChoose: (ids: ReadonlySet<number>) => void;
  onRedrive: () => void;
}

function DeadLetters({ letters, chosen, busy, onChoose, onRedrive }: DeadLettersProps) {
  const toggle = (id: number, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    onChoose(next);
  };
  const all = letters.length > 0 && chosen.length === letters.length;
  return (
    <>
      <div class="section-head">
        <h2>Dead letters</h2>
        <button
          type="button"
          class="primary"
          data-testid="redrive-selected"
          disabled={busy || chosen.length === 0}
          onClick={onRedrive}
        >
          Redrive selected{chosen.length === 0 ? '' : ` (${chosen.length})`}
        </button>
      </div>
      {letters.length === 0 ? (
        <p class="empty">No dead letters.</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="dead-letters-table">
            <thead>
              <tr>
                <th scope="col" class="check">
                  <input
                    type="checkbox"
                    aria-label="Select all dead letters"
                    checked={all}
                    onChange={(event) =>
                      onChoose(new Set(event.currentTarget.checked ? letters.map((l) => l.id) : []))
                    }
                  />
                </th>
                <th scope="col">Destination</th>
                <th scope="col">Event</th>
                <th scope="col">Object</th>
                <th scope="col" class="num">
                  Attempts
                </th>
                <th scope="col">Last error</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {letters.map((letter) => (
                <tr key={letter.id} data-testid="dead-letter" data-id={letter.id}>
                  <td class="check">
                    <input
                      type="checkbox"
                      aria-label={`Select dead letter ${letter.id}: ${letter.key}`}
                      data-testid="dead-letter-select"
                      checked={chosen.includes(letter.id)}
                      onChange={(event) => toggle(letter.id, event.currentTarget.checked)}
                    />
                  </td>
                  <td class="key">{letter.destination}</td>
                  <td>{letter.eventName}</td>
                  <td class="key">
                    {letter.bucket}/{letter.key}
                  </td>
                  <td class="num">{letter.attempts}</td>
                  <td class="error-text">{letter.lastError ?? '—'}</td>
                  <td>{formatDateTime(letter.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
