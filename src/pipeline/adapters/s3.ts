import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { unquoteEtag } from '../event.js';
import {
  ObjectChangedError,
  type ExpectedWrite,
  type ObjectHead,
  type ObjectRef,
  type ObjectStore,
  type Tag,
} from '../ports.js';

/**
 * The pipeline's `ObjectStore` over the AWS SDK's S3 client: Vigil's S3 API or AWS S3,
 * whichever the client points at.
 *
 * @example
 * const objects = new S3ObjectStore(new S3Client({ forcePathStyle: true }));
 * const head = await objects.headObject({ bucket: 'uploads', key: 'content/images/x.jpg' });
 */
export class S3ObjectStore implements ObjectStore {
  constructor(private readonly s3: S3Client) {}

  async headObject(ref: ObjectRef): Promise<ObjectHead | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand(address(ref)));
      return {
        etag: unquoteEtag(head.ETag ?? ''),
        size: head.ContentLength ?? 0,
        contentType: head.ContentType ?? null,
      };
    } catch (error) {
      if (status(error) === 404) return undefined;
      throw error;
    }
  }

  /** S3 cannot tell writes of equal bytes apart: only the ETag is checked (If-Match). */
  async getObjectBytes(ref: ObjectRef, expected: ExpectedWrite): Promise<Buffer> {
    try {
      const object = await this.s3.send(
        new GetObjectCommand({ ...address(ref), IfMatch: `"${expected.etag}"` }),
      );
      if (!object.Body) throw new Error(`GetObject s3://${ref.bucket}/${ref.key} had no body`);
      return Buffer.from(await object.Body.transformToByteArray());
    } catch (error) {
      throw changed(ref, error);
    }
  }

  async getTags(ref: ObjectRef): Promise<Tag[]> {
    try {
      const { TagSet = [] } = await this.s3.send(new GetObjectTaggingCommand(address(ref)));
      return TagSet.map(({ Key = '', Value = '' }) => ({ Key, Value }));
    } catch (error) {
      throw changed(ref, error);
    }
  }

  async putTags(ref: ObjectRef, tags: Tag[]): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectTaggingCommand({ ...address(ref), Tagging: { TagSet: tags } }),
      );
    } catch (error) {
      throw changed(ref, error);
    }
  }
}

function address(ref: ObjectRef): { Bucket: string; Key: string; VersionId?: string } {
  return {
    Bucket: ref.bucket,
    Key: ref.key,
    ...(ref.versionId !== undefined ? { VersionId: ref.versionId } : {}),
  };
}

function status(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  return metadata?.httpStatusCode;
}

/** 404 means the object is gone, 412 (If-Match) that it was replaced; others stay as they are. */
function changed(ref: ObjectRef, error: unknown): unknown {
  const code = status(error);
  if (code === 404) return new ObjectChangedError(ref, 'deleted');
  if (code === 412) return new ObjectChangedError(ref, 'replaced');
  return error;
}
