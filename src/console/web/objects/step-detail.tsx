/**
 * A timeline step's `detail`, which differs by kind: a function's log reads as a log, labels
 * and tags as the console shows them elsewhere, anything else as name and value.
 */
import { Fragment } from 'preact';
import type { Label } from '../../api-types.js';
import { LabelList } from '../components/label-list.js';
import { formatDateTime, formatPreciseTime } from '../format.js';

type Tag = { Key: string; Value: string };

function isLabels(value: unknown): value is Label[] {
  return (
    Array.isArray(value) &&
    value.every(
      (entry) =>
        typeof entry === 'object' && entry !== null && 'Name' in entry && 'Confidence' in entry,
    )
  );
}

function isTags(value: unknown): value is Tag[] {
  return (
    Array.isArray(value) &&
    value.every((entry) => typeof entry === 'object' && entry !== null && 'Key' in entry)
  );
}

export function hasDetail(detail: Record<string, unknown>): boolean {
  return Object.values(detail).some((value) => value !== undefined);
}

/** `requestId` → `Request id`. */
function humanize(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Epoch-ms fields (`acceptedAt`, `processingEnd`) read as times. */
function isTimeField(name: string, value: number): boolean {
  return (name === 'at' || /(At|Start|End|Time)$/.test(name)) && value > 1e11;
}

function Value({ name, value }: { name: string; value: unknown }) {
  if (value === null || value === undefined) return <>—</>;
  if (typeof value === 'number' && isTimeField(name, value)) {
    return <>{`${formatDateTime(value)} (${formatPreciseTime(value)})`}</>;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return <>{String(value)}</>;
  }
  return <pre>{JSON.stringify(value, null, 2)}</pre>;
}

function Tags({ title, tags }: { title: string; tags: unknown }) {
  return (
    <div>
      <h4>{title}</h4>
      {tags === null || tags === undefined ? (
        <p class="muted">—</p>
      ) : isTags(tags) && tags.length > 0 ? (
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {tags.map((tag) => (
              <tr key={tag.Key}>
                <th scope="row">{tag.Key}</th>
                <td>{tag.Value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No tags</p>
      )}
    </div>
  );
}

export function StepDetail({ detail }: { detail: Record<string, unknown> }) {
  const { log, labels } = detail;
  // A change shows before and after (`tags` is the set after it); an upload shows its tags.
  const comparesTags = 'tagsBefore' in detail || 'tagsAfter' in detail;
  const tagsAfter = 'tagsAfter' in detail ? detail.tagsAfter : detail.tags;
  const special = new Set<string>();
  if (typeof log === 'string') special.add('log');
  if (isLabels(labels)) special.add('labels');
  if (comparesTags) ['tagsBefore', 'tagsAfter', 'tags'].forEach((name) => special.add(name));
  else if (isTags(detail.tags)) special.add('tags');
  const fields = Object.entries(detail).filter(
    ([name, value]) => !special.has(name) && value !== undefined,
  );
  return (
    <div class="step-detail">
      {fields.length === 0 ? null : (
        <dl class="facts">
          {fields.map(([name, value]) => (
            <Fragment key={name}>
              <dt>{humanize(name)}</dt>
              <dd>
                <Value name={name} value={value} />
              </dd>
            </Fragment>
          ))}
        </dl>
      )}
      {isLabels(labels) ? (
        <>
          <h4>Labels</h4>
          <LabelList labels={labels} />
        </>
      ) : null}
      {comparesTags ? (
        <div class="tags-compare">
          <Tags title="Tags before" tags={detail.tagsBefore} />
          <Tags title="Tags after" tags={tagsAfter} />
        </div>
      ) : special.has('tags') ? (
        <Tags title="Tags" tags={detail.tags} />
      ) : null}
      {typeof log === 'string' ? (
        <>
          <h4>Log</h4>
          <pre class="log" data-testid="step-log">
            {log}
          </pre>
        </>
      ) : null}
    </div>
  );
}
