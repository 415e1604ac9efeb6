/**
 * Lifecycle rules carried out: for every bucket with a lifecycle configuration, each version
 * and incomplete multipart upload is judged by the pure rules in lifecycle-due.ts, and what
 * is due is done through the engine — expirations (LifecycleExpiration:Delete and
 * :DeleteMarkerCreated), transitions (LifecycleTransition), aborted uploads (no event).
 *
 * State is the objects themselves (their times, tags, classes) and the stored configuration,
 * so a restart loses nothing. A bucket is walked again when something in it comes due, when
 * a new day begins (a version written since may be due sooner than anything seen), or when
 * its configuration changed; between walks only the remembered due times are consulted.
 */
import type { StorageEngine } from './engine.js';
import {
  dueLifecycleAction,
  nextDueAt,
  type LifecycleSubject,
  type TransitionDefaultMinimumSize,
} from './lifecycle-due.js';
import type { LifecycleRule } from './lifecycle-rules.js';
import { MultipartUploads } from './multipart.js';
import { systemContext } from './restore-work.js';
import type { ScheduledWork } from './scheduler.js';
import type { ObjectRecord, ObjectVersion } from './types.js';
import { versionIdOf } from './versions.js';

/** A bucket's lifecycle configuration as stored (JSON) by PutBucketLifecycleConfiguration. */
export interface StoredLifecycle {
  rules: LifecycleRule[];
  transitionDefaultMinimumSize: TransitionDefaultMinimumSize;
}

/** Keys read per query while walking a bucket. */
const KEY_BATCH = 500;

interface BucketState {
  json: string;
  /** When the bucket must be walked again (epoch ms). */
  walkAt: number;
}

export class LifecycleWork implements ScheduledWork {
  readonly name = 'lifecycle';
  private readonly buckets = new Map<string, BucketState>();
  private readonly uploads: MultipartUploads;

  constructor(private readonly engine: StorageEngine) {
    this.uploads = new MultipartUploads(engine);
  }

  async run(now: number): Promise<number | undefined> {
    const configured = this.engine.lifecycleConfigurations();
    const seen = new Set(configured.map((c) => c.bucket));
    for (const name of this.buckets.keys()) if (!seen.has(name)) this.buckets.delete(name);
    let next: number | undefined;
    for (const { bucket, json } of configured) {
      const state = this.buckets.get(bucket);
      let walkAt = state?.json === json ? state.walkAt : now;
      if (walkAt <= now) {
        const lifecycle = JSON.parse(json) as StoredLifecycle;
        const due = await this.walk(bucket, lifecycle, now);
        const day = this.engine.archive.dayMs;
        const nextDay = (Math.floor(now / day) + 1) * day;
        walkAt = Math.min(due ?? Infinity, nextDay);
        this.buckets.set(bucket, { json, walkAt });
      }
      next = Math.min(next ?? Infinity, walkAt);
    }
    return next;
  }

  /** Judges every version and upload of the bucket; returns the earliest next due time. */
  private async walk(bucket: string, lifecycle: StoredLifecycle, now: number) {
    const { rules, transitionDefaultMinimumSize: minimum } = lifecycle;
    const day = this.engine.archive.dayMs;
    let next = Infinity;
    const versioned = this.engine.getBucketVersioning(bucket) !== undefined;
    const consider = async (subject: LifecycleSubject, act: (due: DueAction) => Promise<void>) => {
      const due = dueLifecycleAction(rules, now, subject, day, minimum);
      // What an act leaves behind (a transitioned version's later expiration) is judged on
      // the next walk, at the latest when the next day begins.
      if (due) await act(due);
      else next = Math.min(next, nextDueAt(rules, subject, day, minimum) ?? Infinity);
    };
    for (let after = ''; ;) {
      const keys = this.keysAfter(bucket, after);
      for (const key of keys) {
        const versions = this.versionsOf(bucket, key);
        for (const [index, version] of versions.entries()) {
          await consider(subjectOf(versions, index, versioned), (due) =>
            this.act(bucket, key, version, due),
          );
        }
      }
      if (keys.length < KEY_BATCH) break;
      after = keys.at(-1)!;
    }
    for (const upload of this.uploadsOf(bucket)) {
      await consider(
        {
          kind: 'upload',
          key: upload.key,
          uploadId: upload.upload_id,
          initiated: upload.initiated,
        },
        () => this.uploads.abort(bucket, upload.key, upload.upload_id).catch(ignoreGone),
      );
    }
    return next;
  }

  private async act(bucket: string, key: string, version: ObjectVersion, due: DueAction) {
    const context = systemContext('s3.amazonaws.com');
    const sequence = version.kind === 'object' ? version.object.sequence : version.sequence;
    switch (due.action) {
      case 'expire-current':
        await this.engine.deleteObject(bucket, key, context, undefined, {
          byLifecycle: true,
          onlySequence: sequence,
        });
        return;
      case 'expire-noncurrent':
      case 'remove-expired-delete-marker':
        await this.engine.deleteObject(bucket, key, context, versionIdOf(version), {
          byLifecycle: true,
          onlySequence: sequence,
        });
        return;
      case 'transition':
        if (version.kind === 'object' && due.storageClass)
          await this.engine.archived.transitionVersion(version.object, due.storageClass, context);
        return;
      case 'abort-upload': // uploads are walked apart (see `walk`)
        return;
    }
  }

  private keysAfter(bucket: string, after: string): string[] {
    return this.engine.db
      .prepare(
        `SELECT key FROM objects WHERE bucket = @bucket AND key > @after
         UNION SELECT key FROM object_versions WHERE bucket = @bucket AND key > @after
         ORDER BY key LIMIT ${KEY_BATCH}`,
      )
      .pluck()
      .all({ bucket, after }) as string[];
  }

  /** A key's versions, newest first: the current object, then the version table's rows. */
  private versionsOf(bucket: string, key: string): ObjectVersion[] {
    const current = this.engine.findObject(bucket, key);
    const older = this.engine.versions.ofKey(bucket, key);
    return current ? [{ kind: 'object', object: current, isLatest: true }, ...older] : older;
  }

  private uploadsOf(bucket: string) {
    return this.engine.db
      .prepare('SELECT upload_id, key, initiated FROM multipart_uploads WHERE bucket = ?')
      .all(bucket) as { upload_id: string; key: string; initiated: number }[];
  }
}

type DueAction = NonNullable<ReturnType<typeof dueLifecycleAction>>;

/** What the rules need to know of the `index`-th newest version of a key. */
function subjectOf(versions: ObjectVersion[], index: number, versioned: boolean): LifecycleSubject {
  const version = versions[index]!;
  const newer = versions[index - 1];
  const object: ObjectRecord | undefined = version.kind === 'object' ? version.object : undefined;
  const lastModified = (version.kind === 'object' ? version.object : version).lastModified;
  return {
    kind: 'version',
    key: object?.key ?? (version.kind === 'delete-marker' ? version.key : ''),
    versionId: versionIdOf(version),
    isLatest: index === 0,
    isDeleteMarker: version.kind === 'delete-marker',
    lastModified: lastModified.getTime(),
    // A version becomes noncurrent when the next newer one is written.
    ...(newer
      ? {
          noncurrentSince: (newer.kind === 'object' ? newer.object : newer).lastModified.getTime(),
          // Newer noncurrent versions: those between this one and the current version.
          newerNoncurrentCount: Math.max(0, index - 1),
        }
      : {}),
    onlyVersionLeft: versions.length === 1,
    size: object?.size ?? 0,
    tags: (object?.tags ?? []).map((t) => ({ key: t.Key, value: t.Value })),
    storageClass: object?.storageClass ?? 'STANDARD',
    versioned,
  };
}

function ignoreGone(error: unknown): void {
  if ((error as { code?: string }).code === 'NoSuchUpload') return;
  throw error;
}
