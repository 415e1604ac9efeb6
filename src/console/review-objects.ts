/**
 * Where the console's review decisions act: the objects under review, in Vigil's own store
 * (embedded mode) or in the S3 store that `vigil worker` processes read (Vigil elsewhere,
 * MinIO, Ceph RGW, AWS S3). The review desk and the thumbnails see only this port.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { sequencerOf } from '../events/index.js';
import type { TagPair } from '../reporting/index.js';
import { readWhole, StorageError, type StorageEngine } from '../storage/index.js';

/** The write a review item is about. */
export interface ReviewedWrite {
  bucket: string;
  key: string;
  /** Without quotes. */
  etag: string;
  /** The write's sequencer, or `etag:<ETag>` for items recorded before writes had ids. */
  writeId: string;
}

/** Who acts, and from where: for the S3 change context (events, object history). */
export interface Reviewer {
  name: string;
  sourceIp: string;
}

export interface ReviewObjects {
  /** Where the objects are, for the operations page: `Vigil` or the store's endpoint. */
  readonly where: string;
  /**
   * The tags of the object if it is still the item's write; undefined when it is gone or
   * another write replaced it (that one is judged on its own: a decision leaves it alone).
   */
  currentTags(write: ReviewedWrite): Promise<TagPair[] | undefined>;
  putTags(write: ReviewedWrite, tags: TagPair[], reviewer: Reviewer): Promise<void>;
  delete(write: ReviewedWrite, reviewer: Reviewer): Promise<void>;
  /**
   * The bytes of the item's write, for a thumbnail: undefined when it is gone or replaced,
   * empty when it is larger than `maxBytes`.
   */
  read(write: ReviewedWrite, maxBytes: number): Promise<Buffer | undefined>;
}

/** Vigil's own store: writes are told apart by their sequencer, not only their ETag. */
export function localReviewObjects(
  engine: Pick<StorageEngine, 'findObject' | 'putTags' | 'deleteObject' | 'openObject'>,
): ReviewObjects {
  const current = (write: ReviewedWrite) => {
    const object = engine.findObject(write.bucket, write.key);
    if (!object) return undefined;
    const same = write.writeId.startsWith('etag:')
      ? object.etag === write.etag
      : sequencerOf(object.sequence) === write.writeId;
    return same ? object : undefined;
  };
  const context = (reviewer: Reviewer) => ({
    principalId: reviewer.name,
    sourceIp: reviewer.sourceIp,
  });
  return {
    where: 'Vigil',
    currentTags: (write) =>
      Promise.resolve(current(write)?.tags.map(({ Key, Value }) => ({ Key, Value }))),
    putTags: async (write, tags, reviewer) => {
      await engine.putTags(write.bucket, write.key, tags, context(reviewer));
    },
    delete: async (write, reviewer) => {
      await engine.deleteObject(write.bucket, write.key, context(reviewer));
    },
    read: async (write, maxBytes) => {
      let opened;
      try {
        opened = await engine.openObject(write.bucket, write.key);
      } catch (error) {
        if (error instanceof StorageError) return undefined;
        throw error;
      }
      try {
        if (opened.object.etag !== write.etag) return undefined;
        if (opened.object.size > maxBytes) return Buffer.alloc(0);
        return await readWhole(opened);
      } finally {
        opened.close();
      }
    },
  };
}

/**
 * Another S3 store, through the AWS SDK with the console's own credentials. S3 cannot tell
 * two writes of equal bytes apart: the item's write is the object whose ETag is the item's.
 * Tagging has no If-Match in S3, so a write that lands between the check and the tagging is
 * tagged too; the pipeline judges that write on its own event and tags it again.
 */
export function s3ReviewObjects(s3: S3Client, endpoint: string): ReviewObjects {
  const address = (write: ReviewedWrite) => ({ Bucket: write.bucket, Key: write.key });
  const isCurrent = async (write: ReviewedWrite) => {
    try {
      const head = await s3.send(new HeadObjectCommand(address(write)));
      return unquote(head.ETag) === write.etag;
    } catch (error) {
      if (httpStatus(error) === 404) return false;
      throw error;
    }
  };
  return {
    where: endpoint,
    currentTags: async (write) => {
      if (!(await isCurrent(write))) return undefined;
      const { TagSet = [] } = await s3.send(new GetObjectTaggingCommand(address(write)));
      return TagSet.map(({ Key = '', Value = '' }) => ({ Key, Value }));
    },
    putTags: async (write, tags) => {
      await s3.send(new PutObjectTaggingCommand({ ...address(write), Tagging: { TagSet: tags } }));
    },
    delete: async (write) => {
      await s3.send(new DeleteObjectCommand(address(write)));
    },
    read: async (write, maxBytes) => {
      try {
        const object = await s3.send(
          new GetObjectCommand({ ...address(write), IfMatch: `"${write.etag}"` }),
        );
        if ((object.ContentLength ?? 0) > maxBytes) {
          // Not read: the connection is dropped rather than drained.
          (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
          return Buffer.alloc(0);
        }
        return object.Body ? Buffer.from(await object.Body.transformToByteArray()) : undefined;
      } catch (error) {
        const status = httpStatus(error);
        if (status === 404 || status === 412) return undefined;
        throw error;
      }
    },
  };
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}
