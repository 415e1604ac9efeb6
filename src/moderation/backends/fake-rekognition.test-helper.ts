/**
 * A stand-in for Amazon Rekognition on a loopback port, speaking its JSON 1.1 protocol: it
 * checks the SigV4 signature (service `rekognition`, body hash) with Vigil's verifier, the
 * target and content type, records each call that passes, and answers what the test says.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySigV4 } from '../../s3/auth/index.js';
import { S3Error } from '../../s3/errors.js';

/** The only key pair the fake accepts. */
export const FAKE_AWS_KEY = {
  accessKeyId: 'AKIAFAKEREKOGNITION',
  secretAccessKey: 'fake-secret-key-for-tests',
};

export interface RekognitionCall {
  headers: IncomingHttpHeaders;
  body: { Image: { Bytes: string }; MinConfidence?: number; ProjectVersion?: string };
}

export interface RekognitionReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface FakeRekognition {
  /** `http://127.0.0.1:<port>/`. */
  endpoint: string;
  /** Signed `DetectModerationLabels` calls received, oldest first. */
  calls: RekognitionCall[];
  close(): Promise<void>;
}

/** An error answer as Rekognition words it (archived developer guide, `error-handling.md`). */
export const awsError = (type: string, message: string, status = 400): RekognitionReply => ({
  status,
  body: { __type: type, Code: type, Logref: randomUUID(), Message: message },
});

/**
 * Starts the fake; `answer` decides the reply to each call that is signed and well addressed.
 *
 * @example
 * const fake = await startFakeRekognition(() => ({ status: 200, body: SAMPLE }));
 * const moderator = createRekognitionModerator({ region: 'eu-west-1', endpoint: fake.endpoint, credentials: FAKE_AWS_KEY });
 */
export async function startFakeRekognition(
  answer: (call: RekognitionCall) => RekognitionReply | Promise<RekognitionReply>,
): Promise<FakeRekognition> {
  const calls: RekognitionCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const send = (reply: RekognitionReply) => {
        const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
        const write = () => {
          res.writeHead(reply.status, {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-RequestId': randomUUID(),
            ...reply.headers,
          });
          res.end(text);
        };
        if (reply.delayMs) setTimeout(write, reply.delayMs);
        else write();
      };
      try {
        verifySigV4(
          {
            method: req.method ?? '',
            rawUrl: req.url ?? '',
            headers: req.headers,
            payloadSha256: createHash('sha256').update(raw).digest('hex'),
          },
          {
            lookupSecret: (id) =>
              id === FAKE_AWS_KEY.accessKeyId ? FAKE_AWS_KEY.secretAccessKey : undefined,
            services: ['rekognition'],
          },
        );
      } catch (error) {
        const type =
          error instanceof S3Error && error.code === 'InvalidAccessKeyId'
            ? 'UnrecognizedClientException'
            : 'InvalidSignatureException';
        send({ status: 400, body: { __type: type, message: (error as Error).message } });
        return;
      }
      if (
        req.method !== 'POST' ||
        req.url !== '/' ||
        req.headers['x-amz-target'] !== 'RekognitionService.DetectModerationLabels' ||
        req.headers['content-type'] !== 'application/x-amz-json-1.1'
      ) {
        send({ status: 400, body: { __type: 'UnknownOperationException' } });
        return;
      }
      const call: RekognitionCall = {
        headers: req.headers,
        body: JSON.parse(raw.toString('utf8')) as RekognitionCall['body'],
      };
      calls.push(call);
      void Promise.resolve()
        .then(() => answer(call))
        .then(send, (error: unknown) =>
          send(awsError('InternalServerError', `The fake failed: ${String(error)}`, 500)),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    calls,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
