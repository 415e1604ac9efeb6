import { useEffect, useRef } from 'preact/hooks';
import type { ReviewQueueItem } from '../../api-types.js';
import { thumbnailUrl } from '../api.js';
import { DecisionBadge } from '../components/badge.js';
import { LabelSummary } from '../components/label-list.js';
import { formatAge, formatDateTime } from '../format.js';
import { heldByOther } from './order.js';

interface Props {
  items: readonly ReviewQueueItem[];
  heldId: number | null;
  me: string;
  now: number;
  onSelect: (item: ReviewQueueItem) => void;
}

/** The queue, oldest first; items another reviewer holds are shown but cannot be chosen. */
export function ReviewList({ items, heldId, me, now, onSelect }: Props) {
  const list = useRef<HTMLOListElement>(null);
  // j/k walk past the fold: keep the held item in sight.
  useEffect(() => {
    list.current?.querySelector('[aria-current="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [heldId]);
  return (
    <ol class="review-list" aria-label="Waiting for review" ref={list}>
      {items.map((item) => {
        const taken = heldByOther(item, me, now);
        const selected = item.id === heldId;
        return (
          <li key={item.id}>
            <button
              type="button"
              class={`review-item${selected ? ' selected' : ''}`}
              data-testid="review-item"
              data-key={item.key}
              data-bucket={item.bucket}
              aria-current={selected ? 'true' : undefined}
              disabled={taken}
              onClick={() => onSelect(item)}
            >
              <img
                class="thumb"
                src={thumbnailUrl(item.thumbnail, false)}
                alt=""
                width={64}
                height={64}
                loading="lazy"
              />
              <span class="review-item-body">
                <span class="key review-item-key">{item.key}</span>
                <span class="review-item-meta">
                  <DecisionBadge decision={item.decision} />
                  <span class="muted">{item.bucket}</span>
                </span>
                <LabelSummary labels={item.labels} limit={2} />
                <span class="reason small muted">{item.reason}</span>
                <span class="muted small">
                  <time dateTime={item.uploadedAt}>{formatDateTime(item.uploadedAt)}</time> ·
                  waiting {formatAge(now - item.createdAt)}
                </span>
                {taken ? (
                  <span class="claimed small">Being reviewed by {item.claimedBy}</span>
                ) : null}
              </span>
            </button>
          </li>
        );
      })}
    </ol>
  );
}
