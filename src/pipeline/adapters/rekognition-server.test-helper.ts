/**
 * A loopback server speaking Rekognition's `DetectModerationLabels` wire protocol (JSON 1.1
 * over HTTP, SigV4-signed for service `rekognition`, checked with Vigil's own verifier), for
 * tests of clients that cannot reach AWS. Answers come from a script.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ModerationResult } from '../../moderation/index.js';
import { verifySigV4 } from '../../s3/auth/index.js';

export type RekognitionAnswer =
  ModerationResult | { error: { status: number; type: string; message: string } };

export interface RekognitionRequest {
  image: Buffer;
  minConfidence: number | undefined;
  accessKeyId: string;
  region: string;
}

export interface RekognitionServer {
  url: string;
  requests: RekognitionRequest[];
  close(): Promise<void>;
}

export async function startRekognitionServer(options: {
  accessKeyId: string;
  secretAccessKey: string;
  answer: (request: RekognitionRequest) => RekognitionAnswer;
}): Promise<RekognitionServer> {
  const requests: RekognitionRequest[] = [];
  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => respond(req, res, body),
      () => res.destroy(),
    );
  });

  function respond(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(payload));
    };
    if (
      req.method !== 'POST' ||
      req.url !== '/' ||
      req.headers['content-type'] !== 'application/x-amz-json-1.1' ||
      req.headers['x-amz-target'] !== 'RekognitionService.DetectModerationLabels'
    )
      return reply(400, {
        __type: 'UnknownOperationException',
        message: 'not DetectModerationLabels',
      });
    let verified;
    try {
      verified = verifySigV4(
        {
          method: req.method,
          rawUrl: req.url,
          headers: req.headers,
          payloadSha256: createHash('sha256').update(body).digest('hex'),
        },
        {
          lookupSecret: (id) => (id === options.accessKeyId ? options.secretAccessKey : undefined),
          services: ['rekognition'],
        },
      );
    } catch (error) {
      return reply(403, { __type: 'InvalidSignatureException', message: String(error) });
    }
    const input = JSON.parse(body.toString()) as {
      Image?: { Bytes?: string };
      MinConfidence?: number;
    };
    const request: RekognitionRequest = {
      image: Buffer.from(input.Image?.Bytes ?? '', 'base64'),
      minConfidence: input.MinConfidence,
      accessKeyId: verified.accessKeyId,
      region: verified.region,
    };
    requests.push(request);
    const answer = options.answer(request);
    if ('error' in answer)
      return reply(answer.error.status, {
        __type: `com.amazonaws.rekognition#${answer.error.type}`,
        Message: answer.error.message,
      });
    reply(200, answer);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
