import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySigV4 } from '../../s3/auth/index.js';
import { signRequest, type AwsCredentials } from './sigv4-sign.js';

const credentials: AwsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const now = new Date('2026-03-01T12:34:56.789Z');
const body = JSON.stringify({ Image: { Bytes: 'aGVsbG8=' }, MinConfidence: 50 });
const jsonHeaders = {
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': 'RekognitionService.DetectModerationLabels',
};

/** What the AWS SDK's signer produces for the same request (without x-amz-content-sha256, as the SDKs send to non-S3 services). */
async function oracle(url: URL, creds: AwsCredentials): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: 'rekognition',
    region: 'eu-west-1',
    credentials: creds,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port && { port: Number(url.port) }),
      path: url.pathname,
      query: {},
      headers: { host: url.host, ...jsonHeaders },
      body,
    },
    { signingDate: now },
  );
  return signed.headers;
}

describe('signRequest', () => {
  it.each([
    ['https://rekognition.eu-west-1.amazonaws.com/', credentials],
    ['http://127.0.0.1:9000/', credentials],
    [
      'https://proxy.example/aws/rekognition/',
      { ...credentials, sessionToken: 'FQoGZXIvYXdzEJr//token==' },
    ],
    ['https://proxy.example/a%20b//c/', credentials],
  ] as const)('signs %s exactly as @smithy/signature-v4 does', async (endpoint, creds) => {
    const url = new URL(endpoint);
    const ours = signRequest(
      { method: 'POST', url, headers: jsonHeaders, body },
      { service: 'rekognition', region: 'eu-west-1', credentials: creds, now },
    );
    const theirs = await oracle(url, creds);
    expect(ours['authorization']).toBe(theirs['authorization']);
    expect(ours['x-amz-date']).toBe('20260301T123456Z');
    expect(ours['x-amz-security-token']).toBe(theirs['x-amz-security-token']);
  });

  it('produces a signature that Vigil’s own verifier accepts for service rekognition', () => {
    const url = new URL('http://127.0.0.1:9000/');
    const headers = signRequest(
      { method: 'POST', url, headers: jsonHeaders, body },
      { service: 'rekognition', region: 'us-east-1', credentials, now },
    );
    const verified = verifySigV4(
      {
        method: 'POST',
        rawUrl: '/',
        headers,
        payloadSha256: createHash('sha256').update(body).digest('hex'),
      },
      {
        lookupSecret: (id) =>
          id === credentials.accessKeyId ? credentials.secretAccessKey : undefined,
        services: ['rekognition'],
        now,
      },
    );
    expect(verified).toMatchObject({ service: 'rekognition', accessKeyId: 'AKIDEXAMPLE' });
    expect(() =>
      verifySigV4(
        {
          method: 'POST',
          rawUrl: '/',
          headers,
          payloadSha256: createHash('sha256').update('{}').digest('hex'),
        },
        { lookupSecret: () => credentials.secretAccessKey, services: ['rekognition'], now },
      ),
    ).toThrow();
  });
});
