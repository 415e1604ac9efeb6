/** Entry of the login page (`/_vigil/console/login`), served without a session. */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, CONSOLE_URL, createApi, messageOf } from './api.js';
import { useInterval } from './hooks.js';

const api = createApi();

/** Back to the console, at the route the user was sent away from. */
function enterConsole(): void {
  location.assign(CONSOLE_URL + location.hash);
}

const DEFAULT_WAIT_SECONDS = 60;

function explain(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) return 'Wrong username or password';
  if (error instanceof ApiError && error.status === 429) {
    const wait = error.retryAfterSeconds ?? DEFAULT_WAIT_SECONDS;
    return `Too many attempts. Try again in ${wait} s.`;
  }
  return messageOf(error);
}

function LoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [retryAt, setRetryAt] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const usernameInput = useRef<HTMLInputElement>(null);
  const waitSeconds = Math.max(0, Math.ceil((retryAt - now) / 1000));

  useEffect(() => {
    usernameInput.current?.focus();
    // Already signed in (a second tab, the back button): go straight in.
    api.session().then(enterConsole, () => undefined);
  }, []);
  useInterval(() => setNow(Date.now()), 1000, waitSeconds > 0);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy || waitSeconds > 0) return;
    setBusy(true);
    setError('');
    setRetryAt(0);
    try {
      await api.login({ username, password });
      enterConsole();
    } catch (failure) {
      setError(explain(failure));
      if (failure instanceof ApiError && failure.status === 429) {
        setNow(Date.now());
        setRetryAt(Date.now() + (failure.retryAfterSeconds ?? DEFAULT_WAIT_SECONDS) * 1000);
      }
      setBusy(false);
    }
  };

  return (
    <main id="main" class="login">
      <form class="card login-form" onSubmit={(event) => void submit(event)}>
        <h1>
          <img src="/_vigil/console/favicon.svg" alt="" width={32} height={32} />
          Vigil console
        </h1>
        <div class="field">
          <label for="username">Username</label>
          <input
            id="username"
            name="username"
            ref={usernameInput}
            autoComplete="username"
            autoFocus
            required
            spellcheck={false}
            autoCapitalize="off"
            value={username}
            onInput={(event) => setUsername(event.currentTarget.value)}
            data-testid="login-username"
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
            data-testid="login-password"
          />
        </div>
        <p class="hint" id="login-hint">
          Root: your access key id and secret access key (<code>npx vigil credentials</code>, with{' '}
          <code>--data-dir</code> when Vigil's is not <code>./data</code>)
        </p>
        <div class="error-region" data-testid="error" role="alert" aria-live="assertive">
          {error === '' ? null : <p class="error">{error}</p>}
        </div>
        <button
          type="submit"
          class="primary"
          disabled={busy || waitSeconds > 0}
          data-testid="login-submit"
        >
          {busy ? 'Signing in…' : waitSeconds > 0 ? `Wait ${waitSeconds} s` : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<LoginPage />, root);
