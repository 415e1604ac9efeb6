import type { ReviewAction } from '../../api-types.js';
import { thumbnailUrl } from '../api.js';
import { DecisionBadge } from '../components/badge.js';
import { LabelList } from '../components/label-list.js';
import { formatAge, formatBytes, formatDateTime, formatTime } from '../format.js';
import type { Held } from './use-review.js';

interface Props {
  held: Held;
  now: number;
  busy: boolean;
  note: string;
  onNote: (note: string) => void;
  revealed: boolean;
  onReveal: (revealed: boolean) => void;
  onDecide: (action: ReviewAction) => void;
  onAskDelete: () => void;
}

/** The item this reviewer holds: what the pipeline saw, and the three decisions. */
export function ReviewDetail(props: Props) {
  const { held, now, busy, note, revealed } = props;
  const { item } = held;
  return (
    <section class="card review-detail" aria-labelledby="review-detail-title">
      <h2 id="review-detail-title" class="key">
        {item.key}
      </h2>
      <p class="muted">
        {item.bucket} · {item.contentType ?? 'unknown type'} · {formatBytes(item.size)}
      </p>
      <figure class="preview">
        <img
          src={thumbnailUrl(item.thumbnail, revealed)}
          alt={revealed ? `Preview of ${item.key}` : `Blurred preview of ${item.key}`}
          data-testid="preview"
        />
        <figcaption>
          <button
            type="button"
            class="secondary"
            data-testid="reveal"
            onClick={() => props.onReveal(!revealed)}
          >
            {revealed ? 'Blur again' : 'Reveal'}
          </button>
          <span class="muted small">Revealing is written to the audit log.</span>
        </figcaption>
      </figure>
      <dl class="facts">
        <dt>Pipeline</dt>
        <dd>
          <DecisionBadge decision={item.decision} />
        </dd>
        <dt>Reason</dt>
        <dd data-testid="reason">{item.reason}</dd>
        <dt>Labels</dt>
        <dd>
          <LabelList labels={item.labels} />
        </dd>
        <dt>Uploaded</dt>
        <dd>
          <time dateTime={item.uploadedAt}>{formatDateTime(item.uploadedAt)}</time>
        </dd>
        <dt>Waiting</dt>
        <dd>{formatAge(now - item.createdAt)}</dd>
        {item.modelVersion === null ? null : (
          <>
            <dt>Model</dt>
            <dd>{item.modelVersion}</dd>
          </>
        )}
        <dt>Held by you</dt>
        <dd>until {formatTime(held.claimExpiresAt)}</dd>
      </dl>
      <div class="field">
        <label for="review-note">Note (optional)</label>
        <textarea
          id="review-note"
          rows={2}
          data-testid="note"
          value={note}
          onInput={(event) => props.onNote(event.currentTarget.value)}
        />
      </div>
      <div class="decisions">
        <button
          type="button"
          class="ok"
          data-testid="decision-approve"
          aria-keyshortcuts="a"
          disabled={busy}
          onClick={() => props.onDecide('approve')}
        >
          Approve <kbd aria-hidden="true">a</kbd>
        </button>
        <button
          type="button"
          class="warn"
          data-testid="decision-keep"
          aria-keyshortcuts="b"
          disabled={busy}
          onClick={() => props.onDecide('keep-blocked')}
        >
          Keep blocked <kbd aria-hidden="true">b</kbd>
        </button>
        <button
          type="button"
          class="danger"
          data-testid="decision-delete"
          aria-keyshortcuts="d"
          disabled={busy}
          onClick={props.onAskDelete}
        >
          Delete… <kbd aria-hidden="true">d</kbd>
        </button>
      </div>
    </section>
  );
}
