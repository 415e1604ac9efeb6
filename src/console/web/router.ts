/**
 * Hash routing (`#/objects?bucket=b&key=k`): the server serves one page and never needs a
 * fallback route, and every screen has a link that survives a reload.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** Without the leading `#/`: `review`, `operations/delivery`. */
  path: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const at = body.indexOf('?');
  const path = (at === -1 ? body : body.slice(0, at)).replace(/\/+$/, '');
  return { path, params: new URLSearchParams(at === -1 ? '' : body.slice(at + 1)) };
}

/** `#/path?a=1`, leaving out empty values. */
export function routeHref(path: string, params: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(name, value);
  }
  const query = search.toString();
  return `#/${path}${query === '' ? '' : `?${query}`}`;
}

export function navigate(href: string, replace = false): void {
  if (replace) {
    history.replaceState(null, '', href);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = href;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
