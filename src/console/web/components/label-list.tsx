import type { Label } from '../../api-types.js';
import { formatConfidence } from '../format.js';
import { labelsToShow } from '../labels.js';

/** `Explicit Nudity 97.5% (Explicit)`, most confident first. */
export function LabelList({ labels, limit }: { labels: readonly Label[]; limit?: number }) {
  const shown = labelsToShow(labels);
  if (shown.length === 0) return <p class="muted">No labels</p>;
  const visible = limit === undefined ? shown : shown.slice(0, limit);
  const hidden = shown.length - visible.length;
  return (
    <ul class="labels">
      {visible.map((label) => (
        <li key={`${label.parent}/${label.name}`}>
          {label.name} <span class="confidence">{formatConfidence(label.confidence)}</span>
          {label.parent === '' ? null : <span class="parent"> ({label.parent})</span>}
        </li>
      ))}
      {hidden > 0 ? <li class="muted">+{hidden} more</li> : null}
    </ul>
  );
}

/** The same, as one line of phrasing content (inside a button). */
export function LabelSummary({ labels, limit }: { labels: readonly Label[]; limit: number }) {
  const shown = labelsToShow(labels);
  if (shown.length === 0) return null;
  const text = shown
    .slice(0, limit)
    .map(
      (label) =>
        `${label.name} ${formatConfidence(label.confidence)}${label.parent === '' ? '' : ` (${label.parent})`}`,
    )
    .join(', ');
  const more = shown.length > limit ? `, +${shown.length - limit} more` : '';
  return <span class="label-summary">{text + more}</span>;
}
