/**
 * The review queue as one reviewer works it: the polled list, the item this reviewer holds
 * (claimed on selection, re-claimed at half the lease the server grants, released when they
 * move on, leave or log out), and decisions that select the next free item.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ReviewAction, ReviewQueueItem } from '../../api-types.js';
import { ApiError, beforeLogout } from '../api.js';
import { api } from '../client.js';
import { useInterval, useNow, useResource } from '../hooks.js';
import { useNotices } from '../notices.js';
import { candidates, candidatesAfterDecision, moveStart } from './order.js';

const POLL_MS = 10_000;
/** How often to look whether the held item's lease needs renewing (at half its length). */
const RECLAIM_CHECK_MS = 5_000;
/** After a conflict the item is skipped for a lease, or until the next poll says otherwise. */
const LEASE_MS = 5 * 60_000;

export interface Held {
  item: ReviewQueueItem;
  claimExpiresAt: number;
}

type ClaimOutcome = 'claimed' | 'conflict' | 'failed';

const DONE: Record<ReviewAction, string> = {
  approve: 'Approved',
  'keep-blocked': 'Kept blocked',
  delete: 'Deleted',
};

/** Who holds an item after a 409; the list may not know yet. */
function holderOf(error: ApiError, item: ReviewQueueItem): string {
  const named = error.extra.claimedBy;
  if (typeof named === 'string' && named !== '') return named;
  return item.claimedBy ?? 'someone else';
}

export function useReview(me: string) {
  const { report, notify } = useNotices();
  const queue = useResource(() => api.reviewQueue(), [], POLL_MS);
  const now = useNow();
  const [held, setHeld] = useState<Held | null>(null);
  const [busy, setBusy] = useState(false);
  const heldRef = useRef<Held | null>(null);
  const busyRef = useRef(false);
  /** The length of the lease the server granted at the last claim (ms). */
  const leaseMsRef = useRef(LEASE_MS);
  // Decided here: kept out of the list even if a poll sent before the decision answers late.
  const decided = useRef(new Set<number>());

  const items = (queue.data?.items ?? []).filter((item) => !decided.current.has(item.id));
  // An answer that still lists an item decided here counts it too: the count shown drops the
  // moment the decision is made, and an answer sent before it cannot bring it back.
  const pending =
    queue.data === null ? null : queue.data.pending - (queue.data.items.length - items.length);
  const itemsRef = useRef(items);
  itemsRef.current = items;

  const hold = (next: Held | null) => {
    heldRef.current = next;
    setHeld(next);
  };

  const patchItem = (id: number, patch: Partial<ReviewQueueItem>) => {
    queue.setData((data) =>
      data === null
        ? data
        : {
            ...data,
            items: data.items.map((item) => (item.id !== id ? item : { ...item, ...patch })),
          },
    );
  };

  const release = (id: number) => {
    api.release(id).catch(() => undefined);
  };

  const claim = async (item: ReviewQueueItem): Promise<ClaimOutcome> => {
    try {
      const answer = await api.claim(item.id);
      leaseMsRef.current = Math.max(RECLAIM_CHECK_MS * 2, answer.claimExpiresAt - Date.now());
      const previous = heldRef.current;
      hold({ item: answer.item, claimExpiresAt: answer.claimExpiresAt });
      if (previous !== null && previous.item.id !== item.id) release(previous.item.id);
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 409) {
        report(error);
        return 'failed';
      }
      // "Being reviewed by X." or "Already decided by Y": the server's words, and the item is
      // skipped until the list, reloaded now, says what became of it.
      report(`${item.key}: ${error.message}`);
      patchItem(item.id, {
        claimedBy: holderOf(error, item),
        claimExpiresAt: Date.now() + LEASE_MS,
      });
      void queue.reload();
      return 'conflict';
    }
  };

  /** Claims the first of `list` that can be claimed. */
  const claimFirst = async (list: readonly ReviewQueueItem[]): Promise<void> => {
    for (const item of list) {
      if ((await claim(item)) !== 'conflict') return;
    }
  };

  const exclusive = async (task: () => Promise<void>) => {
    if (busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    try {
      await task();
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  };

  const select = (item: ReviewQueueItem) =>
    exclusive(async () => {
      if (heldRef.current?.item.id === item.id) return;
      await claim(item);
    });

  const move = (step: 1 | -1) =>
    exclusive(async () => {
      const list = itemsRef.current;
      const index = list.findIndex((item) => item.id === heldRef.current?.item.id);
      const start = moveStart(index, step, list.length);
      await claimFirst(candidates(list, start, step, me, Date.now()));
    });

  const decide = (action: ReviewAction, note: string) =>
    exclusive(async () => {
      const current = heldRef.current;
      if (current === null) return;
      const { id, key } = current.item;
      const list = itemsRef.current;
      try {
        const trimmed = note.trim();
        await api.decide(id, trimmed === '' ? { action } : { action, note: trimmed });
      } catch (error) {
        report(error);
        if (error instanceof ApiError && error.status === 409) {
          hold(null);
          void queue.reload();
        }
        return;
      }
      // Kept in the answer shown, hidden by `decided`: its count still includes the item.
      decided.current.add(id);
      hold(null);
      notify(`${DONE[action]} ${key}`);
      const remaining = list.filter((item) => item.id !== id);
      const index = list.findIndex((item) => item.id === id);
      await claimFirst(candidatesAfterDecision(remaining, index, me, Date.now()));
    });

  // Claiming again extends the lease; losing it (an admin, an expiry) drops the selection.
  useInterval(
    () => {
      const current = heldRef.current;
      if (current === null || busyRef.current) return;
      // Renew at half the lease the server granted (config: console.claimLeaseSeconds).
      if (current.claimExpiresAt - Date.now() > leaseMsRef.current / 2) return;
      api.claim(current.item.id).then(
        (answer) => {
          if (heldRef.current?.item.id === current.item.id) {
            hold({ item: answer.item, claimExpiresAt: answer.claimExpiresAt });
          }
        },
        (error: unknown) => {
          if (heldRef.current?.item.id !== current.item.id) return;
          report(error instanceof ApiError ? `Lost ${current.item.key}: ${error.message}` : error);
          hold(null);
          void queue.reload();
        },
      );
    },
    RECLAIM_CHECK_MS,
    held !== null,
  );

  // Logging out gives the item back first (after logout the release would be refused).
  useEffect(
    () =>
      beforeLogout(async () => {
        const current = heldRef.current;
        if (current !== null) await api.release(current.item.id).catch(() => undefined);
      }),
    [],
  );

  // Leaving the page (another route, a closed tab) gives the item back at once.
  useEffect(() => {
    const leave = () => {
      const current = heldRef.current;
      if (current !== null) api.releaseOnExit(current.item.id);
    };
    // Back from the back-forward cache: the item was given back on the way out.
    const back = (event: PageTransitionEvent) => {
      if (event.persisted) hold(null);
    };
    window.addEventListener('pagehide', leave);
    window.addEventListener('pageshow', back);
    return () => {
      window.removeEventListener('pagehide', leave);
      window.removeEventListener('pageshow', back);
      leave();
    };
  }, []);

  return {
    items,
    pending,
    loaded: queue.data !== null,
    held,
    busy,
    now,
    select,
    move,
    decide,
  };
}
