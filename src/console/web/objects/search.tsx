import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../client.js';
import { Badge } from '../components/badge.js';
import { formatBytes, formatDateTime } from '../format.js';
import { useResource } from '../hooks.js';
import { navigate, routeHref } from '../router.js';

interface Props {
  bucket: string;
  prefix: string;
}

/** The search form and its results; the query lives in the URL so results can be linked. */
export function ObjectSearch({ bucket, prefix }: Props) {
  const found = useResource(
    () => api.objects(bucket === '' ? undefined : bucket, prefix === '' ? undefined : prefix),
    [bucket, prefix],
  );
  const [draftBucket, setDraftBucket] = useState(bucket);
  const [draftPrefix, setDraftPrefix] = useState(prefix);
  // What the reviewer is typing wins over a route change they did not ask for (the page
  // opening the first bucket by itself); a search makes the route the truth again.
  const editing = useRef(false);
  useEffect(() => {
    if (editing.current) return;
    setDraftBucket(bucket);
    setDraftPrefix(prefix);
  }, [bucket, prefix]);

  const buckets = found.data?.buckets ?? (bucket === '' ? [] : [bucket]);
  const objects = found.data?.objects ?? null;
  const firstBucket = found.data?.buckets[0];

  // Objects are listed one bucket at a time: start with the first.
  useEffect(() => {
    if (bucket === '' && firstBucket !== undefined) {
      navigate(routeHref('objects', { bucket: firstBucket, prefix }), true);
    }
  }, [bucket, firstBucket, prefix]);

  const search = (event: Event) => {
    event.preventDefault();
    editing.current = false;
    navigate(routeHref('objects', { bucket: draftBucket, prefix: draftPrefix }));
    // The same query again still means "look again".
    if (draftBucket === bucket && draftPrefix === prefix) void found.reload();
  };

  return (
    <section class="page">
      <header class="page-head">
        <h1 tabIndex={-1}>Objects</h1>
        <p class="muted">Find an object to see everything that happened to it.</p>
      </header>
      <form class="card toolbar" role="search" onSubmit={search}>
        <div class="field">
          <label for="objects-bucket">Bucket</label>
          <select
            id="objects-bucket"
            data-testid="objects-bucket"
            value={draftBucket}
            onChange={(event) => {
              editing.current = true;
              setDraftBucket(event.currentTarget.value);
            }}
          >
            {buckets.length === 0 ? <option value="">No buckets</option> : null}
            {buckets.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div class="field grow">
          <label for="objects-prefix">
            Key prefix <span class="muted">(e.g. photos/2026/)</span>
          </label>
          <input
            id="objects-prefix"
            type="search"
            data-testid="objects-prefix"
            spellcheck={false}
            value={draftPrefix}
            onInput={(event) => {
              editing.current = true;
              setDraftPrefix(event.currentTarget.value);
            }}
          />
        </div>
        <button type="submit" class="primary" data-testid="objects-search">
          Search
        </button>
      </form>
      {objects === null ? (
        <p aria-busy="true">Loading…</p>
      ) : bucket === '' ? (
        <p class="empty">{buckets.length === 0 ? 'No buckets yet.' : 'Choose a bucket.'}</p>
      ) : objects.length === 0 ? (
        <p class="empty">No objects match.</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="objects-table">
            <caption class="visually-hidden">Objects found</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Bucket</th>
                <th scope="col" class="num">
                  Size
                </th>
                <th scope="col">Last modified</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {objects.map((object) => (
                <tr key={`${object.bucket}/${object.key}`} data-testid="object-row">
                  <th scope="row" class="key">
                    <a
                      href={routeHref('objects', {
                        bucket: object.bucket,
                        prefix,
                        key: object.key,
                      })}
                      data-testid="object-link"
                    >
                      {object.key}
                    </a>
                  </th>
                  <td>{object.bucket}</td>
                  <td class="num">{formatBytes(object.size)}</td>
                  <td>{formatDateTime(object.lastModified)}</td>
                  <td>{object.blocked ? <Badge tone="danger">Blocked</Badge> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
