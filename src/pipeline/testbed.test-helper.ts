/**
 * The pipeline core's test bed: in-memory S3 and queue, a scripted moderator, a real SQLite
 * report store in a fresh file per test, the real perceptual hasher, and a clock that moves
 * 7 ms per reading.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { loadImageHasher, type ImageHasher } from '../memory/index.js';
import {
  ModerationError,
  type ModerationLabel,
  type ModerationResult,
} from '../moderation/index.js';
import { SqliteReportStore } from '../reporting/index.js';
import {
  FakeObjectStore,
  FakeReviewQueue,
  ScriptedModerator,
  s3Record,
} from './fakes.test-helper.js';
import { moderateRecord, type Outcome } from './moderate-image.js';
import type { PipelinePorts, Tag } from './ports.js';
import type { PipelineSettings } from './settings.js';

export const BUCKET = 'uploads';
export const T0 = Date.UTC(2026, 2, 1, 9, 30, 0);
export const MODEL = 'vigil-test-model/1';

function label(
  Name: string,
  Confidence: number,
  ParentName = '',
  TaxonomyLevel = 1,
): ModerationLabel {
  return { Name, Confidence, ParentName, TaxonomyLevel };
}

export const EXPLICIT = [
  label('Explicit', 97.5),
  label('Explicit Nudity', 97.5, 'Explicit', 2),
  label('Exposed Female Nipple', 96.1, 'Explicit Nudity', 3),
];
export const SWIMWEAR = [
  label('Swimwear or Underwear', 88),
  label('Female Swimwear or Underwear', 88, 'Swimwear or Underwear', 2),
];

function answer(labels: ModerationLabel[], options?: { minConfidence?: number }): ModerationResult {
  const min = options?.minConfidence ?? 50;
  return {
    ModerationLabels: labels.filter((l) => l.Confidence >= min),
    ModerationModelVersion: MODEL,
    ContentTypes: [],
  };
}

/** Images are text; the text says what the "model" sees. */
function script(image: Buffer, options?: { minConfidence?: number }): ModerationResult {
  const text = image.toString();
  if (text.startsWith('explicit')) return answer(EXPLICIT, options);
  if (text.startsWith('swimwear')) return answer(SWIMWEAR, options);
  if (text.startsWith('corrupt'))
    throw new ModerationError('InvalidImageFormatException', 'no JPEG, PNG, WebP or GIF header');
  if (text.startsWith('throttle')) throw new ModerationError('ThrottlingException');
  return answer([], options);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `n` tags of an object's owner: k0=v0, k1=v1, … */
export function ownerTags(n: number): Tag[] {
  return Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
}

/** S3's form-URL encoding of keys in event records. */
export function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

export class Testbed {
  objects!: FakeObjectStore;
  moderator!: ScriptedModerator;
  reviewQueue!: FakeReviewQueue;
  reports!: SqliteReportStore;
  ports!: PipelinePorts;
  hasher!: ImageHasher;
  /** The clock's last reading; set it to move time. */
  time = T0;
  /** Real images the moderator answers with labels, by their bytes (see `flag`). */
  private readonly flagged = new Map<string, ModerationLabel[]>();

  /** Makes the moderator see `labels` in these exact bytes (real images, not text). */
  flag(image: Buffer, labels: ModerationLabel[] = EXPLICIT): void {
    this.flagged.set(sha256(image), labels);
  }

  reset(file: string): void {
    this.objects = new FakeObjectStore();
    this.flagged.clear();
    this.moderator = new ScriptedModerator((image, options) => {
      const labels = this.flagged.get(sha256(image));
      return labels ? answer(labels, options) : script(image, options);
    });
    this.reviewQueue = new FakeReviewQueue();
    this.reports = SqliteReportStore.open(file, { synchronous: 'normal' });
    this.time = T0;
    this.ports = {
      objects: this.objects,
      moderator: this.moderator,
      reviewQueue: this.reviewQueue,
      reports: this.reports,
      clock: { now: () => (this.time += 7) },
      hasher: this.hasher,
    };
  }

  /** Uploads `body` at `key` and runs the pipeline on its ObjectCreated:Put record. */
  async upload(
    key: string,
    body: string | Buffer,
    options: { tags?: Tag[]; settings?: PipelineSettings } = {},
  ): Promise<{ etag: string; writeId: string; outcome: Outcome }> {
    const etag = this.objects.put(BUCKET, key, body, options.tags);
    const writeId = this.objects.sequencerOf(BUCKET, key)!;
    const outcome = await moderateRecord(
      s3Record(BUCKET, encodeKey(key), etag, { size: body.length, sequencer: writeId }),
      this.ports,
      options.settings,
    );
    return { etag, writeId, outcome };
  }
}

/** A test bed renewed before each test of the calling file. */
export function useTestbed(): Testbed {
  const bed = new Testbed();
  let dir = '';
  let files = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-pipeline-'));
    bed.hasher = await loadImageHasher();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    files++;
    bed.reset(join(dir, `reports-${files}.db`));
  });
  afterEach(async () => {
    await bed.reports.close();
  });
  return bed;
}
