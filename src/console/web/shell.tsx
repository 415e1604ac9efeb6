/** The frame around every page: top bar, navigation filtered by the session's rights, logout. */
import type { ComponentType } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Right, Session } from '../api-types.js';
import { LOGIN_URL, runLogoutHooks } from './api.js';
import { api } from './client.js';
import { NoticeRegions, useNotices } from './notices.js';
import { IdentitiesPage } from './identities/page.js';
import { DeliveryPage } from './operations/delivery.js';
import { FunctionsPage } from './operations/functions.js';
import { ObjectsPage } from './objects/page.js';
import { ReportsPage } from './reports/page.js';
import { ReviewPage } from './review/page.js';
import type { Route } from './router.js';
import { navigate, routeHref, useRoute } from './router.js';

export interface PageProps {
  session: Session;
  route: Route;
}

interface Page {
  path: string;
  title: string;
  right: Right;
  testid: string;
  component: ComponentType<PageProps>;
}

const PAGES: readonly Page[] = [
  { path: 'review', title: 'Review', right: 'review', testid: 'nav-review', component: ReviewPage },
  {
    path: 'objects',
    title: 'Objects',
    right: 'timeline',
    testid: 'nav-objects',
    component: ObjectsPage,
  },
  {
    path: 'operations/delivery',
    title: 'Delivery',
    right: 'operations',
    testid: 'nav-delivery',
    component: DeliveryPage,
  },
  {
    path: 'operations/functions',
    title: 'Functions',
    right: 'operations',
    testid: 'nav-functions',
    component: FunctionsPage,
  },
  {
    path: 'identities',
    title: 'Identities',
    right: 'identities',
    testid: 'nav-identities',
    component: IdentitiesPage,
  },
  {
    path: 'reports',
    title: 'Reports',
    right: 'reports',
    testid: 'nav-reports',
    component: ReportsPage,
  },
];

export function Shell({ session }: { session: Session }) {
  const route = useRoute();
  const { report, clear } = useNotices();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(route.path);
  const allowed = PAGES.filter((page) => session.rights.includes(page.right));
  const page = PAGES.find((candidate) => candidate.path === route.path);
  const home = allowed[0];

  useEffect(() => {
    if (page === undefined && home !== undefined) navigate(routeHref(home.path), true);
  }, [page, home]);

  useEffect(() => {
    document.title = `${page?.title ?? 'Home'} · Vigil console`;
    // Moving focus to the new page's heading tells keyboard and screen reader users that the
    // page changed; the first load (and its redirect to the home page) keeps the browser's.
    if (route.path !== shownPath.current) {
      const fromPage = shownPath.current !== '';
      shownPath.current = route.path;
      clear();
      if (fromPage) main.current?.querySelector<HTMLElement>('h1')?.focus();
    }
  }, [route.path, page, clear]);

  const logout = async () => {
    try {
      await runLogoutHooks();
      await api.logout();
      location.assign(LOGIN_URL);
    } catch (error) {
      report(error);
    }
  };

  let content;
  if (page === undefined) {
    content =
      home === undefined ? (
        <section>
          <h1 tabIndex={-1}>Nothing to show</h1>
          <p>Your role ({session.role}) has no pages in the console.</p>
        </section>
      ) : null;
  } else if (!session.rights.includes(page.right)) {
    content = (
      <section>
        <h1 tabIndex={-1}>Not available</h1>
        <p>
          Your role ({session.role}) cannot open {page.title}.
          {home === undefined ? null : (
            <>
              {' '}
              Go to <a href={routeHref(home.path)}>{home.title}</a>.
            </>
          )}
        </p>
      </section>
    );
  } else {
    const Component = page.component;
    content = <Component session={session} route={route} />;
  }

  return (
    <>
      <a
        class="skip-link"
        href={routeHref(route.path)}
        onClick={(event) => {
          event.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">
          <img src="/_vigil/console/favicon.svg" alt="" width={24} height={24} />
          Vigil console
        </span>
        <nav aria-label="Console">
          <ul>
            {allowed.map((item) => (
              <li key={item.path}>
                <a
                  href={routeHref(item.path)}
                  data-testid={item.testid}
                  aria-current={item === page ? 'page' : undefined}
                >
                  {item.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="user" data-testid="user">
          {session.username} <span class="role">{session.role}</span>
        </span>
        <button type="button" class="secondary" data-testid="logout" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <NoticeRegions />
        {content}
      </main>
    </>
  );
}
