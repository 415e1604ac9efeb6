/**
 * s3rver (3.7, an S3 stand-in from npm) for tests: one listening on a loopback port with its
 * own temporary directory and buckets, and the S3 event records it makes, heard in-process —
 * s3rver has no notification targets (PutBucketNotificationConfiguration answers 501
 * NotImplemented); it only emits each record on its `event` emitter.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';

/** What these tests use of s3rver, which ships no type declarations. */
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  on(name: 'event', listener: (event: unknown) => void): void;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverServer;
interface S3rverAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  revokeAccessKey(accessKeyId: string): void;
}

const load = createRequire(import.meta.url);

export interface TestS3rver {
  url: string;
  /** s3rver's one built-in key pair. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** An AWS SDK v3 client with default settings, path-style, signed with s3rver's key pair. */
  s3: S3Client;
  /** Hears every S3 event record message s3rver makes, as it makes it. */
  onEvent(listener: (event: unknown) => void): void;
  /**
   * Lets another key pair sign requests: s3rver knows only its own and refuses unknown key
   * ids (InvalidAccessKeyId); it checks no SigV4 signature.
   */
  allowKeyPair(credentials: { accessKeyId: string; secretAccessKey: string }): void;
  /** Stops s3rver, forgets the added key pairs and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts s3rver on 127.0.0.1, a free port, a fresh directory, with `buckets` made.
 *
 * @example
 * const store = await startS3rver(['uploads']);
 * store.onEvent((event) => console.log(JSON.stringify(event)));
 * await store.s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'a.jpg', Body: bytes }));
 */
export async function startS3rver(buckets: string[]): Promise<TestS3rver> {
  const S3rver = load('s3rver') as S3rverClass;
  const { DUMMY_ACCOUNT: account } = load('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: S3rverAccount;
  };
  const directory = await mkdtemp(join(tmpdir(), 'vigil-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const url = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const s3 = new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
  });
  const added: string[] = [];
  return {
    url,
    credentials,
    s3,
    onEvent: (listener) => server.on('event', listener),
    allowKeyPair: ({ accessKeyId, secretAccessKey }) => {
      account.createKeyPair(accessKeyId, secretAccessKey);
      added.push(accessKeyId);
    },
    stop: async () => {
      s3.destroy();
      await server.close();
      for (const accessKeyId of added.splice(0)) account.revokeAccessKey(accessKeyId);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
