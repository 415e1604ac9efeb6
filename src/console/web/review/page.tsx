/** The moderator's screen: the queue on the left, the held item and its decisions on the right. */
import { useEffect, useState } from 'preact/hooks';
import type { ReviewAction } from '../../api-types.js';
import { formatCount } from '../format.js';
import type { PageProps } from '../shell.js';
import { ConfirmDelete } from './confirm-delete.js';
import { ReviewDetail } from './detail.js';
import { ReviewList } from './list.js';
import { useShortcuts } from './shortcuts.js';
import { useReview } from './use-review.js';

export function ReviewPage({ session }: PageProps) {
  const review = useReview(session.username);
  const { held, items } = review;
  const [note, setNote] = useState('');
  const [revealed, setRevealed] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const heldId = held?.item.id ?? null;

  useEffect(() => {
    setNote('');
    setRevealed(false);
    setConfirming(false);
  }, [heldId]);

  const decide = (action: ReviewAction) => {
    setConfirming(false);
    void review.decide(action, note);
  };

  useShortcuts(
    {
      j: () => void review.move(1),
      k: () => void review.move(-1),
      a: () => held !== null && decide('approve'),
      b: () => held !== null && decide('keep-blocked'),
      d: () => held !== null && setConfirming(true),
    },
    !confirming,
  );

  let body;
  if (!review.loaded) {
    body = <p aria-busy="true">Loading…</p>;
  } else if (items.length === 0 && held === null) {
    body = (
      <p class="empty" data-testid="review-empty">
        Nothing waiting for review.
      </p>
    );
  } else {
    body = (
      <div class="review-layout">
        <ReviewList
          items={items}
          heldId={heldId}
          me={session.username}
          now={review.now}
          onSelect={(item) => void review.select(item)}
        />
        {held === null ? (
          <div class="card review-detail idle">
            <p>
              Select an item to review it: click it, or press <kbd>j</kbd>.
            </p>
          </div>
        ) : (
          <ReviewDetail
            held={held}
            now={review.now}
            busy={review.busy}
            note={note}
            onNote={setNote}
            revealed={revealed}
            onReveal={setRevealed}
            onDecide={decide}
            onAskDelete={() => setConfirming(true)}
          />
        )}
      </div>
    );
  }

  return (
    <section class="page review-page">
      <header class="page-head">
        <h1 tabIndex={-1}>Review</h1>
        {review.pending === null ? null : (
          <p class="muted" data-testid="review-pending">
            {formatCount(review.pending)} waiting
            {review.pending > items.length ? `, the oldest ${items.length} shown` : ''}
          </p>
        )}
        <p class="muted small shortcuts">
          <kbd>j</kbd>/<kbd>k</kbd> next/previous · <kbd>a</kbd> approve · <kbd>b</kbd> keep blocked
          · <kbd>d</kbd> delete
        </p>
      </header>
      {body}
      <ConfirmDelete
        open={confirming && held !== null}
        objectKey={held?.item.key ?? ''}
        onConfirm={() => decide('delete')}
        onCancel={() => setConfirming(false)}
      />
    </section>
  );
}
