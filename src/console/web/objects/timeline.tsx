import type { TimelineStep, TimelineStepKind } from '../../api-types.js';
import { api } from '../client.js';
import { formatDateTime, formatDuration, formatPreciseTime } from '../format.js';
import { useResource } from '../hooks.js';
import { StepDetail, hasDetail } from './step-detail.js';

const KINDS: Record<TimelineStepKind, { label: string; icon: string }> = {
  upload: { label: 'Upload', icon: '↑' },
  event: { label: 'Event', icon: '✉' },
  delivery: { label: 'Delivery', icon: '→' },
  invocation: { label: 'Function', icon: 'λ' },
  moderation: { label: 'Moderation', icon: '◎' },
  tagging: { label: 'Tagging', icon: '#' },
  review: { label: 'Review', icon: '✓' },
  removal: { label: 'Removal', icon: '✕' },
};

interface Props {
  bucket: string;
  objectKey: string;
  backHref: string;
}

/** Every step of one key's story, oldest first, each with the time since the one before. */
export function Timeline({ bucket, objectKey, backHref }: Props) {
  const timeline = useResource(() => api.timeline(bucket, objectKey), [bucket, objectKey]);
  const steps = timeline.data?.steps ?? null;
  const first = steps?.[0];

  return (
    <section class="page">
      <header class="page-head">
        <p>
          <a href={backHref}>← Objects</a>
        </p>
        <h1 tabIndex={-1}>Timeline</h1>
        <p class="key">
          {bucket}/{objectKey}
        </p>
        {first === undefined ? null : <p class="muted">Starts {formatDateTime(first.at)}</p>}
      </header>
      {steps === null ? (
        <p aria-busy="true">Loading…</p>
      ) : steps.length === 0 ? (
        <p class="empty">Nothing recorded for this key.</p>
      ) : (
        <ol class="timeline" data-testid="timeline">
          {steps.map((step, index) => (
            <Step key={index} step={step} />
          ))}
        </ol>
      )}
    </section>
  );
}

function Step({ step }: { step: TimelineStep }) {
  const kind = KINDS[step.kind] ?? { label: step.kind, icon: '•' };
  return (
    <li class={`step step-${step.kind}`} data-testid="timeline-step" data-kind={step.kind}>
      <span class="step-icon" aria-hidden="true">
        {kind.icon}
      </span>
      <div class="step-body">
        <p class="step-head">
          <strong>{kind.label}</strong>{' '}
          <time dateTime={new Date(step.at).toISOString()} title={formatDateTime(step.at)}>
            {formatPreciseTime(step.at)}
          </time>
          {step.sincePrevious === null ? null : (
            <span class="since"> +{formatDuration(step.sincePrevious)}</span>
          )}
        </p>
        <p class="summary">{step.summary}</p>
        {hasDetail(step.detail) ? (
          <details>
            <summary>Details</summary>
            <StepDetail detail={step.detail} />
          </details>
        ) : null}
      </div>
    </li>
  );
}
