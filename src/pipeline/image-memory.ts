/**
 * Image memory in the pipeline (ADR 14). Before the moderator is asked, the image's
 * perceptual hash is looked up among the images whose verdict is known — blocked by the
 * moderator, or decided by a reviewer — and the nearest within `memory.maxDistance` speaks
 * for it:
 *
 * - a remembered block blocks at once, without the moderator. It goes to review as the
 *   moderator's block would have, unless a reviewer already ruled on the remembered image:
 *   asking again would only repeat the question (and re-uploads would flood the queue);
 * - a remembered approval lets the moderator judge as usual; a flag it raises is taken as
 *   approved again, not sent back to review, when every label that flagged it was on the
 *   approved image too. A label the reviewer never saw is a new question.
 *
 * Memory never clears an image on its own: a look-alike of a clean image is judged like any
 * other, since perceptual hashes can be made to collide and a later, stricter model or
 * policy must see every upload.
 */
import type { ImageHasher } from '../memory/index.js';
import type {
  Decision,
  RecalledImage,
  RememberedImage,
  ReportStore,
  ReviewAction,
  TrackingRecord,
} from '../reporting/index.js';
import type { Judgment } from './judge.js';
import type { PolicyVerdict } from './policy.js';
import type { MemorySettings } from './settings.js';

/** A remembered image that speaks for an upload, and what it stands for. */
export interface Precedent {
  verdict: 'blocked' | 'approved';
  /** The reviewer's decision behind the verdict, or null: the moderator's block. */
  reviewer: { action: ReviewAction; by: string } | null;
  record: TrackingRecord;
  /** Bits between the two hashes. */
  distance: number;
}

/** What memory knows of an image before the moderator is asked. */
export interface Recollection {
  /** Undefined when memory is off or the image cannot be hashed. */
  image: RememberedImage | undefined;
  precedent: Precedent | undefined;
}

const NOTHING: Recollection = { image: undefined, precedent: undefined };

/** Hashes the image and recalls the remembered image that speaks for it, if any. */
export async function recollect(
  bytes: Buffer,
  ports: { hasher?: ImageHasher | undefined; reports: Pick<ReportStore, 'recallImages'> },
  settings: MemorySettings,
): Promise<Recollection> {
  const { hasher } = ports;
  if (!settings.enabled || !hasher) return NOTHING;
  let hash: string;
  try {
    hash = await hasher.hash(bytes);
  } catch {
    // Memory is a shortcut, never a gate: an image it cannot hash (undecodable, animated)
    // is judged by the moderator as if memory were off.
    return NOTHING;
  }
  const recalled = await ports.reports.recallImages({
    hash,
    algorithm: hasher.algorithm,
    maxDistance: settings.maxDistance,
  });
  return {
    image: { hash, algorithm: hasher.algorithm, precedent: null },
    precedent: choosePrecedent(recalled),
  };
}

/** Rank at equal distance: a reviewer's word before the moderator's, a block first. */
const RANK = { 'reviewer blocked': 0, 'reviewer approved': 1, 'moderator blocked': 2 } as const;

/**
 * The remembered image that speaks for an upload: the nearest; at equal distance a
 * reviewer's decision before the moderator's block, and a block before an approval (the
 * store lists ties newest first, which stays the order among equals).
 */
export function choosePrecedent(recalled: readonly RecalledImage[]): Precedent | undefined {
  const rank = (p: Precedent) =>
    RANK[`${p.reviewer ? 'reviewer' : 'moderator'} ${p.verdict}` as keyof typeof RANK];
  return recalled
    .flatMap((r) => precedentOf(r) ?? [])
    .sort((a, b) => a.distance - b.distance || rank(a) - rank(b))[0];
}

function precedentOf({ record, image, distance }: RecalledImage): Precedent | undefined {
  const { review } = record;
  if (review)
    return {
      verdict: review.action === 'approve' ? 'approved' : 'blocked',
      reviewer: { action: review.action, by: review.by },
      record,
      distance,
    };
  // A verdict drawn from memory is not drawn on again (the store does not return those).
  if (record.decision === 'blocked' && image.precedent === null)
    return { verdict: 'blocked', reviewer: null, record, distance };
  return undefined;
}

/**
 * The judgment of an upload a remembered block speaks for: blocked, with the remembered
 * record's labels, its model version marked `memory:`, and review unless a reviewer ruled.
 */
export function rememberedBlock(
  precedent: Precedent,
  image: RememberedImage,
): Pick<Judgment, 'decision' | 'reason' | 'labels' | 'modelVersion' | 'image' | 'askReviewer'> {
  const { record, reviewer } = precedent;
  const who = reviewer
    ? `${reviewer.action === 'delete' ? 'deleted' : 'kept blocked'} by ${reviewer.by}`
    : 'blocked by the moderator';
  const model = record.modelVersion?.replace(/^memory:/, '');
  return {
    decision: 'blocked',
    reason: `remembered: looks like ${describeRemembered(precedent)}, ${who}`,
    labels: record.labels,
    modelVersion: model ? `memory:${model}` : 'memory',
    image: {
      ...image,
      precedent: { bucket: record.bucket, key: record.key, writeId: record.writeId },
    },
    askReviewer: reviewer === null,
  };
}

/**
 * The moderator's verdict, seen in the light of a remembered approval: a flag whose labels
 * the approving reviewer had all seen is approved again (`clean`, saying why); otherwise the
 * verdict stands, its reason noting the approval it did not match.
 */
export function judgeWithPrecedent(
  verdict: PolicyVerdict,
  precedent: Precedent | undefined,
): { decision: Decision; reason: string } {
  const { decision, reason } = verdict;
  if (precedent?.verdict !== 'approved' || decision === 'clean') return { decision, reason };
  const seen = new Set(precedent.record.labels.map((l) => l.Name.toLowerCase()));
  const unseen = verdict.matches
    .filter((m) => m.action !== 'allow' && !seen.has(m.label.toLowerCase()))
    .map((m) => m.label);
  const approved = `looks like ${describeRemembered(precedent)}, approved by ${precedent.reviewer?.by}`;
  if (unseen.length > 0)
    return { decision, reason: `${reason}; ${approved}, which showed no ${unseen.join(', ')}` };
  return {
    decision: 'clean',
    reason: `approved before: ${approved}; the moderator said ${reason}`,
  };
}

/**
 * The image to remember with a write's record: writes whose verdict may be drawn on — the
 * moderator's blocks, and whatever goes to a reviewer, who may decide it. Clean images are
 * not remembered (memory never clears), nor images a reviewer's ruling already covers.
 */
export function imageToRemember(judgment: Judgment): RememberedImage | undefined {
  if (!judgment.image || judgment.askReviewer === false) return undefined;
  return REMEMBERED.has(judgment.decision) ? judgment.image : undefined;
}

const REMEMBERED: ReadonlySet<Decision> = new Set(['blocked', 'review', 'failed']);

function describeRemembered({ record, distance }: Precedent): string {
  return `s3://${record.bucket}/${record.key} (write ${record.writeId}, ${distance} of 64 bits apart)`;
}
