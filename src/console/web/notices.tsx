/**
 * Errors and confirmations, shown in two live regions that exist from the first render (a
 * screen reader only announces changes to a region it already knows).
 */
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useCallback, useContext, useMemo, useState } from 'preact/hooks';
import { messageOf } from './api.js';

export interface Notices {
  /** Show an error; the same message twice is shown once. */
  report: (error: unknown) => void;
  /** Show a short confirmation (`Approved photos/cat.jpg`). */
  notify: (message: string) => void;
  clear: () => void;
}

const NoticesContext = createContext<Notices>({
  report: () => undefined,
  notify: () => undefined,
  clear: () => undefined,
});

export function useNotices(): Notices {
  return useContext(NoticesContext);
}

const MAX_ERRORS = 3;

interface Shown {
  errors: string[];
  status: string;
  dismiss: (message: string) => void;
}

const ShownContext = createContext<Shown>({ errors: [], status: '', dismiss: () => undefined });

export function NoticesProvider({ children }: { children: ComponentChildren }) {
  const [errors, setErrors] = useState<string[]>([]);
  const [status, setStatus] = useState('');

  const report = useCallback((error: unknown) => {
    const message = messageOf(error);
    setErrors((shown) =>
      shown.includes(message) ? shown : [...shown, message].slice(-MAX_ERRORS),
    );
  }, []);
  const notify = useCallback((message: string) => setStatus(message), []);
  const clear = useCallback(() => {
    setErrors([]);
    setStatus('');
  }, []);
  const dismiss = useCallback(
    (message: string) => setErrors((shown) => shown.filter((m) => m !== message)),
    [],
  );
  const notices = useMemo(() => ({ report, notify, clear }), [report, notify, clear]);
  const shown = useMemo(() => ({ errors, status, dismiss }), [errors, status, dismiss]);

  return (
    <NoticesContext.Provider value={notices}>
      <ShownContext.Provider value={shown}>{children}</ShownContext.Provider>
    </NoticesContext.Provider>
  );
}

/** The error region (`data-testid="error"`) and the status region, where the page puts them. */
export function NoticeRegions() {
  const { errors, status, dismiss } = useContext(ShownContext);
  return (
    <div class="notices">
      <div class="error-region" data-testid="error" role="alert" aria-live="assertive">
        {errors.map((message) => (
          <p class="error" key={message}>
            <span>{message}</span>
            {/* The × is drawn by CSS so the region's text is the message alone. */}
            <button
              type="button"
              class="dismiss"
              aria-label="Dismiss"
              onClick={() => dismiss(message)}
            />
          </p>
        ))}
      </div>
      <div class="status-region" data-testid="status" role="status" aria-live="polite">
        {status === '' ? null : <p class="status">{status}</p>}
      </div>
    </div>
  );
}
