/** Entry of the console app (`/_vigil/console/`): load the session, then the shell. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../api-types.js';
import { api } from './client.js';
import { NoticeRegions, NoticesProvider, useNotices } from './notices.js';
import { Shell } from './shell.js';

function App() {
  const { report } = useNotices();
  const [session, setSession] = useState<Session | null>(null);

  useEffect(() => {
    api.session().then((loaded) => {
      api.setCsrfToken(loaded.csrfToken);
      setSession(loaded);
    }, report);
  }, [report]);

  if (session === null) {
    return (
      <main id="main" class="starting">
        <NoticeRegions />
        <p aria-busy="true">Loading…</p>
      </main>
    );
  }
  return <Shell session={session} />;
}

const root = document.getElementById('app');
if (root !== null) {
  render(
    <NoticesProvider>
      <App />
    </NoticesProvider>,
    root,
  );
}
