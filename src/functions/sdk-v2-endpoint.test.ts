import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureSdkV2, sdkV2Settings } from './sdk-v2-endpoint.js';

const VIGIL = 'http://127.0.0.1:9000';

describe('sdkV2Settings', () => {
  it.each([
    ['nothing set', {}, undefined],
    ['an empty AWS_ENDPOINT_URL (unset, as v3 reads it)', { AWS_ENDPOINT_URL: '' }, undefined],
    ['AWS_ENDPOINT_URL', { AWS_ENDPOINT_URL: VIGIL }, { endpoint: VIGIL, s3ForcePathStyle: true }],
    [
      'the opt-out',
      { AWS_ENDPOINT_URL: VIGIL, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'TRUE' },
      undefined,
    ],
    [
      'an opt-out set to false',
      { AWS_ENDPOINT_URL: VIGIL, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' },
      { endpoint: VIGIL, s3ForcePathStyle: true },
    ],
    [
      'service-specific endpoints, under the v2 identifiers',
      {
        AWS_ENDPOINT_URL: VIGIL,
        AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://logs:1',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://ddb:2',
        AWS_ENDPOINT_URL_SQS: '',
      },
      {
        endpoint: VIGIL,
        s3ForcePathStyle: true,
        cloudwatchlogs: { endpoint: 'http://logs:1' },
        dynamodb: { endpoint: 'http://ddb:2' },
      },
    ],
    [
      'only a non-S3 service: S3 keeps its own addressing',
      { AWS_ENDPOINT_URL_SQS: 'http://sqs:3' },
      { sqs: { endpoint: 'http://sqs:3' } },
    ],
    [
      'only S3',
      { AWS_ENDPOINT_URL_S3: 'http://s3:4' },
      { s3: { endpoint: 'http://s3:4' }, s3ForcePathStyle: true },
    ],
  ])('%s', (_, env, expected) => {
    expect(sdkV2Settings(env)).toEqual(expected);
  });
});

describe('configureSdkV2', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-sdk-v2-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A directory whose handler resolves a stand-in `aws-sdk` that records its updates. */
  async function withStandIn(name: string): Promise<{ handler: string; updates: unknown[] }> {
    const root = join(dir, name);
    await mkdir(join(root, 'node_modules/aws-sdk/lib'), { recursive: true });
    await writeFile(join(root, 'node_modules/aws-sdk/package.json'), '{"main":"lib/aws.js"}');
    const updates: unknown[] = [];
    (globalThis as Record<string, unknown>)[`__updates_${name}`] = updates;
    await writeFile(
      join(root, 'node_modules/aws-sdk/lib/node_loader.js'),
      `module.exports = { config: { update: (o, unknownKeys) => globalThis.__updates_${name}.push([o, unknownKeys]) } };`,
    );
    await writeFile(join(root, 'index.js'), '');
    return { handler: pathToFileURL(join(root, 'index.js')).href, updates };
  }

  it('updates the global config of the aws-sdk the handler would load', async () => {
    const { handler, updates } = await withStandIn('present');
    expect(configureSdkV2(handler, { AWS_ENDPOINT_URL: VIGIL })).toBe(true);
    expect(updates).toEqual([[{ endpoint: VIGIL, s3ForcePathStyle: true }, true]]);
  });

  it('loads nothing when the handler opted out or no endpoint is set', async () => {
    const { handler, updates } = await withStandIn('opted-out');
    const optOut = { AWS_ENDPOINT_URL: VIGIL, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' };
    expect(configureSdkV2(handler, optOut)).toBe(false);
    expect(configureSdkV2(handler, {})).toBe(false);
    expect(updates).toEqual([]);
    const loader = join(dir, 'opted-out/node_modules/aws-sdk/lib/node_loader.js');
    expect(createRequire(import.meta.url).cache[loader]).toBeUndefined();
  });

  it('does nothing for a handler with no aws-sdk to resolve', async () => {
    await writeFile(join(dir, 'v3-only.mjs'), '');
    const handler = pathToFileURL(join(dir, 'v3-only.mjs')).href;
    expect(configureSdkV2(handler, { AWS_ENDPOINT_URL: VIGIL })).toBe(false);
  });
});

describe('configureSdkV2 on the real aws-sdk', () => {
  // The repository's own aws-sdk v2, resolved from this file as a handler beside it would.
  const require = createRequire(import.meta.url);
  type Client = {
    endpoint: { href: string };
    getSignedUrl(operation: string, params: object): string;
  };
  type Sdk = Record<string, new (config?: object) => Client>;

  it('sends every client to the endpoint, S3 path-style, unless a client names its own', () => {
    expect(configureSdkV2(import.meta.url, { AWS_ENDPOINT_URL: VIGIL })).toBe(true);
    const AWS = require('aws-sdk') as Sdk;
    (require('aws-sdk/lib/maintenance_mode_message') as { suppress: boolean }).suppress = true;
    const S3 = require('aws-sdk/clients/s3') as Sdk[string];
    const options = { region: 'us-east-1', accessKeyId: 'AKID', secretAccessKey: 'secret' };
    for (const client of [new AWS['Rekognition']!(), new AWS['SQS']!(), new AWS['STS']!()])
      expect(client.endpoint.href).toBe(`${VIGIL}/`);
    const url = new S3(options).getSignedUrl('getObject', { Bucket: 'photos', Key: 'a.jpg' });
    expect(url.startsWith(`${VIGIL}/photos/a.jpg?`)).toBe(true);
    const own = new AWS['S3']!({ ...options, endpoint: 'https://s3.example.com' });
    expect(own.endpoint.href).toBe('https://s3.example.com/');
  });
});
