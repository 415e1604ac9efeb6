import type { Inputs } from 'preact/hooks';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { useNotices } from './notices.js';

export interface Resource<T> {
  /** Null until the first answer for the current inputs. */
  data: T | null;
  setData: (update: (data: T | null) => T | null) => void;
  reload: () => Promise<void>;
}

/**
 * Loads on mount and whenever `inputs` change, then every `pollMs` while the tab is visible.
 * An answer older than one already shown, or meant for earlier inputs, is dropped; errors go
 * to the error region.
 */
export function useResource<T>(load: () => Promise<T>, inputs: Inputs, pollMs = 0): Resource<T> {
  const { report } = useNotices();
  const [data, setData] = useState<T | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const sent = useRef(0);
  const shown = useRef(0);
  const oldestWanted = useRef(1);

  const reload = useCallback(async () => {
    const request = ++sent.current;
    try {
      const value = await loadRef.current();
      if (request >= oldestWanted.current && request > shown.current) {
        shown.current = request;
        setData(value);
      }
    } catch (error) {
      if (request >= oldestWanted.current) report(error);
    }
  }, [report]);

  useEffect(() => {
    oldestWanted.current = sent.current + 1;
    setData(null);
    void reload();
    return () => {
      oldestWanted.current = Number.POSITIVE_INFINITY;
    };
  }, inputs);

  useEffect(() => {
    if (pollMs <= 0) return undefined;
    const timer = setInterval(() => {
      if (!document.hidden) void reload();
    }, pollMs);
    return () => clearInterval(timer);
  }, [reload, pollMs]);

  return { data, setData, reload };
}

/** The current time, refreshed every `everyMs`, for "waiting 3 min". */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Runs `callback` every `everyMs` while `active`; the latest callback is used. */
export function useInterval(callback: () => void, everyMs: number, active = true): void {
  const latest = useRef(callback);
  latest.current = callback;
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => latest.current(), everyMs);
    return () => clearInterval(timer);
  }, [everyMs, active]);
}
