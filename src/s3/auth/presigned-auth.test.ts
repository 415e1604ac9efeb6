import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors.js';
import type { AuthRequest } from './types.js';
import { isSigned, verifySigV4 } from './verify.js';
import { ACCESS_KEY, capturingClient, lookupSecret } from './sdk-capture.test-helper.js';

const SIGNED_AT = new Date('2026-03-01T12:00:00Z');
const minutes = (n: number) => new Date(SIGNED_AT.getTime() + n * 60_000);

/** What the server receives when a browser or curl fetches the presigned URL. */
function fetched(url: string, method = 'GET', headers: AuthRequest['headers'] = {}): AuthRequest {
  const parsed = new URL(url);
  return {
    method,
    rawUrl: parsed.pathname + parsed.search,
    headers: { host: parsed.host, ...headers },
  };
}

function codeOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    if (error instanceof S3Error) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'ok';
}

describe('verifySigV4 with presigned URLs (signed by @aws-sdk/s3-request-presigner)', () => {
  const { client } = capturingClient();
  const presign = (command: GetObjectCommand | PutObjectCommand, expiresIn = 900) =>
    command instanceof GetObjectCommand
      ? getSignedUrl(client, command, { expiresIn, signingDate: SIGNED_AT })
      : getSignedUrl(client, command, { expiresIn, signingDate: SIGNED_AT });

  it('accepts a valid URL and defaults to UNSIGNED-PAYLOAD', async () => {
    const url = await presign(new GetObjectCommand({ Bucket: 'photos', Key: 'a b/ü+!.png' }));
    const req = fetched(url);
    expect(isSigned(req)).toBe(true);
    const verified = verifySigV4(req, { lookupSecret, now: minutes(1) });
    expect(verified).toMatchObject({
      accessKeyId: ACCESS_KEY,
      presigned: true,
      region: 'us-east-1',
      payload: { kind: 'unsigned' },
    });
  });

  it('accepts a presigned PUT with signed headers', async () => {
    const url = await presign(
      new PutObjectCommand({ Bucket: 'photos', Key: 'up.txt', ContentType: 'text/plain' }),
    );
    const signedHeaders = new URL(url).searchParams.get('X-Amz-SignedHeaders') ?? '';
    const headers = signedHeaders.includes('content-type') ? { 'content-type': 'text/plain' } : {};
    expect(
      verifySigV4(fetched(url, 'PUT', headers), { lookupSecret, now: minutes(1) }).presigned,
    ).toBe(true);
  });

  it('rejects an expired URL with S3 details', async () => {
    const url = await presign(new GetObjectCommand({ Bucket: 'b', Key: 'k' }), 60);
    try {
      verifySigV4(fetched(url), { lookupSecret, now: minutes(2) });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(S3Error);
      expect((error as S3Error).code).toBe('AccessDenied');
      expect((error as S3Error).message).toBe('Request has expired');
      expect((error as S3Error).details).toEqual({
        'X-Amz-Expires': '60',
        Expires: '2026-03-01T12:01:00Z',
        ServerTime: '2026-03-01T12:02:00Z',
      });
    }
  });

  it('accepts a URL signed a while ago while it has not expired', async () => {
    const url = await presign(new GetObjectCommand({ Bucket: 'b', Key: 'k' }), 604800);
    expect(verifySigV4(fetched(url), { lookupSecret, now: minutes(6 * 24 * 60) }).presigned).toBe(
      true,
    );
  });

  it('rejects a URL dated in the future', async () => {
    const url = await presign(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
    expect(codeOf(() => verifySigV4(fetched(url), { lookupSecret, now: minutes(-16) }))).toBe(
      'AccessDenied: Request is not valid yet',
    );
    expect(codeOf(() => verifySigV4(fetched(url), { lookupSecret, now: minutes(-14) }))).toBe('ok');
  });

  it('rejects a tampered URL', async () => {
    const url = await presign(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
    const now = minutes(1);
    expect(
      codeOf(() => verifySigV4(fetched(url.replace('/b/k', '/b/other')), { lookupSecret, now })),
    ).toMatch(/^SignatureDoesNotMatch/);
    expect(codeOf(() => verifySigV4(fetched(url, 'DELETE'), { lookupSecret, now }))).toMatch(
      /^SignatureDoesNotMatch/,
    );
    expect(
      codeOf(() =>
        verifySigV4(fetched(`${url}&response-content-type=evil`), { lookupSecret, now }),
      ),
    ).toMatch(/^SignatureDoesNotMatch/);
  });

  it('rejects an unknown key and x-amz-* headers that were not signed', async () => {
    const url = await presign(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
    const now = minutes(1);
    expect(codeOf(() => verifySigV4(fetched(url), { lookupSecret: () => undefined, now }))).toMatch(
      /^InvalidAccessKeyId/,
    );
    expect(
      codeOf(() =>
        verifySigV4(fetched(url, 'GET', { 'x-amz-acl': 'public-read' }), { lookupSecret, now }),
      ),
    ).toBe('AccessDenied: There were headers present in the request which were not signed');
  });

  it('validates X-Amz-Expires and the other parameters', async () => {
    const url = await presign(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
    const now = minutes(1);
    const withParam = (name: string, value: string | null) => {
      const parsed = new URL(url);
      if (value === null) parsed.searchParams.delete(name);
      else parsed.searchParams.set(name, value);
      return fetched(parsed.toString());
    };
    expect(
      codeOf(() => verifySigV4(withParam('X-Amz-Expires', '604801'), { lookupSecret, now })),
    ).toMatch(/^AuthorizationQueryParametersError: X-Amz-Expires must be less than a week/);
    expect(
      codeOf(() => verifySigV4(withParam('X-Amz-Expires', '-1'), { lookupSecret, now })),
    ).toMatch(/^AuthorizationQueryParametersError: X-Amz-Expires must be non-negative/);
    expect(
      codeOf(() => verifySigV4(withParam('X-Amz-Expires', 'soon'), { lookupSecret, now })),
    ).toMatch(/^AuthorizationQueryParametersError/);
    expect(codeOf(() => verifySigV4(withParam('X-Amz-Date', null), { lookupSecret, now }))).toMatch(
      /^AuthorizationQueryParametersError: Query-string authentication version 4 requires/,
    );
    expect(
      codeOf(() =>
        verifySigV4(withParam('X-Amz-Algorithm', 'AWS4-HMAC-SHA1'), { lookupSecret, now }),
      ),
    ).toMatch(/^AuthorizationQueryParametersError: X-Amz-Algorithm only supports/);
    expect(
      codeOf(() =>
        verifySigV4(withParam('X-Amz-Credential', `${ACCESS_KEY}/20260301/us-east-1/s3`), {
          lookupSecret,
          now,
        }),
      ),
    ).toMatch(/^AuthorizationQueryParametersError: Error parsing the X-Amz-Credential parameter/);
  });

  it('rejects a request carrying both an Authorization header and a presigned query', async () => {
    const url = await presign(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
    const req = fetched(url, 'GET', { authorization: 'AWS4-HMAC-SHA256 Credential=x' });
    expect(codeOf(() => verifySigV4(req, { lookupSecret, now: minutes(1) }))).toMatch(
      /^InvalidArgument: Only one auth mechanism allowed/,
    );
  });
});
