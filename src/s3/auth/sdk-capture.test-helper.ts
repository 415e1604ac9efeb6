/**
 * Test helper: signs requests with the real AWS SDK (the oracle for SigV4) and captures them
 * as the server would receive them, without any network.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  S3Client,
  type GetObjectCommand,
  type ListObjectsV2Command,
  type PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { AuthRequest } from './types.js';

export const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

export const lookupSecret = (id: string): string | undefined =>
  id === ACCESS_KEY ? SECRET : undefined;

/** The shape of the SDK's HttpRequest that we read. */
interface SdkRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

export interface Captured extends AuthRequest {
  body: Buffer | undefined;
}

/** The commands the tests sign (S3Client.send's overloads defeat a generic parameter type). */
export type CapturableCommand = GetObjectCommand | PutObjectCommand | ListObjectsV2Command;

export interface ClientOptions {
  endpoint?: string;
  forcePathStyle?: boolean;
  secret?: string;
  region?: string;
}

/** An S3 client whose transport records each signed request instead of sending it. */
export function capturingClient(options: ClientOptions = {}): {
  client: S3Client;
  send: (command: CapturableCommand) => Promise<Captured>;
} {
  let captured: Captured | undefined;
  const requestHandler = {
    async handle(request: SdkRequest): Promise<never> {
      captured = { ...toAuthRequest(request), body: await readBody(request.body) };
      throw new Error('captured');
    },
  };
  const client = new S3Client({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint ?? 'http://127.0.0.1:9000',
    forcePathStyle: options.forcePathStyle ?? true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: options.secret ?? SECRET },
    maxAttempts: 1,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    requestHandler,
  });
  return {
    client,
    async send(command) {
      captured = undefined;
      const sendAny = client.send.bind(client) as (c: CapturableCommand) => Promise<unknown>;
      await sendAny(command).catch((error: unknown) => {
        if (!captured) throw error;
      });
      if (!captured) throw new Error('the SDK sent nothing');
      return captured;
    },
  };
}

/** What Node's http server would hand us for this SDK request. */
export function toAuthRequest(request: SdkRequest): AuthRequest {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  const query = buildQueryString(request.query ?? {});
  return {
    method: request.method,
    rawUrl: query ? `${request.path}?${query}` : request.path,
    headers,
  };
}

/** Same encoding as the SDK's node-http-handler: RFC 3986 strict. */
export function strictEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function buildQueryString(query: Record<string, string | string[] | null>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === null) parts.push(strictEncode(name));
    else
      for (const item of [value].flat()) parts.push(`${strictEncode(name)}=${strictEncode(item)}`);
  }
  return parts.join('&');
}

async function readBody(body: unknown): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return Buffer.from(body);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<string | Uint8Array>)
      chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  throw new Error('unsupported SDK body type');
}
