/**
 * A user's image classifier on a loopback port, for the `http` backend's tests: it records
 * each request and answers what the test says.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ClassifierRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ClassifierReply {
  /** Default 200. */
  status?: number;
  /** A string is sent as is; anything else as JSON. */
  body: unknown;
  delayMs?: number;
}

export interface FakeClassifier {
  /** `http://127.0.0.1:<port>/v1/classify`. */
  url: string;
  /** Requests received, oldest first. */
  received: ClassifierRequest[];
  close(): Promise<void>;
}

/**
 * Starts the fake; `answer` decides the reply to each request.
 *
 * @example
 * const fake = await startFakeClassifier(() => ({ body: { labels: [] } }));
 * const moderator = createHttpModerator({ url: fake.url });
 */
export async function startFakeClassifier(
  answer: (request: ClassifierRequest) => ClassifierReply | Promise<ClassifierReply>,
): Promise<FakeClassifier> {
  const received: ClassifierRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: ClassifierRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      received.push(request);
      const send = (reply: ClassifierReply) => {
        const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        setTimeout(() => {
          res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
          res.end(text);
        }, reply.delayMs ?? 0);
      };
      void Promise.resolve()
        .then(() => answer(request))
        .then(send, (error: unknown) =>
          send({ status: 500, body: { error: `The fake failed: ${String(error)}` } }),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/classify`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
