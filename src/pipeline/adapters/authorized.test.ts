import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../iam/types.js';
import type { ObjectStore, Tag } from '../ports.js';
import {
  AccessDeniedError,
  AuthorizedObjectStore,
  moderateImagePolicy,
  type RoleCheck,
} from './authorized.js';

const principal = {
  kind: 'assumed-role' as const,
  arn: 'arn:aws:sts::000000000000:assumed-role/moderate-image-role/moderate-image',
  accountId: '000000000000',
  name: 'moderate-image-role',
  userId: 'AROAX:moderate-image',
  roleArn: 'arn:aws:iam::000000000000:role/service-role/moderate-image-role',
};

/** An object store that records what reached it. */
function recording(): ObjectStore & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    headObject: (ref) => {
      calls.push(`head ${ref.bucket}/${ref.key}`);
      return Promise.resolve({ etag: '"e"', sequencer: '1', size: 1, contentType: null });
    },
    getObjectBytes: (ref) => {
      calls.push(`get ${ref.bucket}/${ref.key}`);
      return Promise.resolve(Buffer.from('x'));
    },
    getTags: (ref) => {
      calls.push(`tags ${ref.bucket}/${ref.key}`);
      return Promise.resolve([]);
    },
    putTags: (ref, _tags: Tag[]) => {
      calls.push(`tag ${ref.bucket}/${ref.key}`);
      return Promise.resolve();
    },
  };
}

describe("moderate-image's role", () => {
  const seed = [{ bucket: 'uploads', prefix: 'content/images/', suffix: '.jpg' }];
  const role = (bucketPolicy?: PolicyDocument): RoleCheck => ({
    principal,
    policy: (bucket) =>
      moderateImagePolicy(
        seed.filter((t) => t.bucket === bucket),
        'arn:aws:sqs:us-east-1:000000000000:review',
      ),
    bucketPolicy: () => bucketPolicy,
  });

  it("is the seed's permission list on its trigger's prefix and suffix", () => {
    expect(moderateImagePolicy(seed, 'arn:aws:sqs:us-east-1:000000000000:review')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ModerationLabels',
          Effect: 'Allow',
          Action: ['rekognition:DetectModerationLabels'],
          Resource: ['*'],
        },
        {
          Sid: 'UploadedImages',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:HeadObject', 's3:GetObjectTagging', 's3:PutObjectTagging'],
          Resource: ['arn:aws:s3:::uploads/content/images/*.jpg'],
        },
        {
          Sid: 'ReviewQueue',
          Effect: 'Allow',
          Action: ['sqs:SendMessage'],
          Resource: ['arn:aws:sqs:us-east-1:000000000000:review'],
        },
      ],
    });
  });

  it('reads and tags the images its trigger sends, and nothing else', async () => {
    const inner = recording();
    const store = new AuthorizedObjectStore(inner, role());
    const image = { bucket: 'uploads', key: 'content/images/cat.jpg' };
    await store.headObject(image);
    await store.getObjectBytes(image, { etag: '"e"' });
    await store.getTags(image);
    await store.putTags(image, [{ Key: 'BlockedContent', Value: 'true' }]);
    for (const elsewhere of [
      { bucket: 'uploads', key: 'content/other/cat.jpg' },
      { bucket: 'uploads', key: 'content/images/cat.png' },
      { bucket: 'private', key: 'content/images/cat.jpg' },
    ]) {
      await expect(store.putTags(elsewhere, [])).rejects.toBeInstanceOf(AccessDeniedError);
      await expect(store.getObjectBytes(elsewhere, { etag: '"e"' })).rejects.toThrow(
        /is not authorized to perform: s3:GetObject/,
      );
    }
    expect(inner.calls).toEqual([
      'head uploads/content/images/cat.jpg',
      'get uploads/content/images/cat.jpg',
      'tags uploads/content/images/cat.jpg',
      'tag uploads/content/images/cat.jpg',
    ]);
  });

  it("is refused what the bucket's policy denies it", async () => {
    const store = new AuthorizedObjectStore(
      recording(),
      role({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: [principal.roleArn] },
            Action: ['s3:PutObjectTagging'],
            Resource: ['arn:aws:s3:::uploads/*'],
          },
        ],
      }),
    );
    await expect(
      store.putTags({ bucket: 'uploads', key: 'content/images/cat.jpg' }, []),
    ).rejects.toThrow(/explicit deny in a resource-based policy/);
  });
});
