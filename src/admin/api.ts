import { createHash } from 'node:crypto';
import { signingCredential } from '../iam/gate.js';
import { requestConditionKeys, type TrustedProxies } from '../iam/request-context.js';
import type { AccessGate, Credential } from '../iam/types.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { OutboxStore } from '../delivery/outbox-store.js';
import type { DestinationDirectory } from '../destinations/directory.js';
import { functionArn, invocationView, type FunctionRuntime } from '../functions/index.js';
import type { Route } from '../http/server.js';
import { QueueError } from '../queue/index.js';
import { isSigned, verifySigV4 } from '../s3/auth/index.js';
import { S3Error } from '../s3/errors.js';

/** What the admin API manages. */
export interface AdminDependencies {
  outbox: OutboxStore;
  directory: DestinationDirectory;
  queues: AdminQueues;
  /** Wakes the dispatcher after a redrive. */
  wake: () => void;
  /** The function runtime, read-only: declared functions and their invocation log. */
  functions: Pick<
    FunctionRuntime,
    'functionNames' | 'describe' | 'recentInvocations' | 'recursionStops'
  >;
  region: string;
  accountId: string;
  /** Whose keys sign requests, and what they may do (`vigil:*` actions). */
  gate: AccessGate;
  proxies?: TrustedProxies;
  logger: Logger;
}

/** The IAM action of each admin call (its route), for policies: `vigil:ListDeadLetters`… */
export const ADMIN_ACTIONS: Readonly<Record<string, string>> = {
  'GET outbox': 'vigil:GetOutbox',
  'GET dlq': 'vigil:ListDeadLetters',
  'POST dlq/:name': 'vigil:RedriveDeadLetters',
  'GET webhooks': 'vigil:ListWebhooks',
  'PUT webhooks/:name': 'vigil:PutWebhook',
  'DELETE webhooks/:name': 'vigil:DeleteWebhook',
  'GET topics': 'vigil:ListTopics',
  'PUT topics/:name': 'vigil:PutTopic',
  'DELETE topics/:name': 'vigil:DeleteTopic',
  'GET queues': 'vigil:ListQueues',
  'PUT queues/:name': 'vigil:PutQueue',
  'DELETE queues/:name': 'vigil:DeleteQueue',
  'GET functions': 'vigil:ListFunctions',
  'GET functions/:name': 'vigil:GetFunction',
  'GET functions/:name/invocations': 'vigil:ListInvocations',
};

/** The queue operations the admin API exposes (the SQS API offers the rest). */
export interface AdminQueues {
  list(): { name: string; arn: string; attributes: Record<string, string> }[];
  create(
    name: string,
    settings: {
      visibilityTimeoutSeconds?: number | undefined;
      messageRetentionSeconds?: number | undefined;
    },
  ): Promise<void>;
  remove(name: string): Promise<boolean>;
}

const PREFIX = '/_vigil/admin/';
const NAME = /^[A-Za-z0-9_-]{1,80}$/;

const webhookInput = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    secret: z.string().min(16).optional(),
    timeoutMs: z.number().int().min(100).max(120_000).default(5000),
  })
  .strict();
const topicInput = z
  .object({
    subscriptions: z
      .array(
        z
          .object({ endpoint: z.string().startsWith('arn:'), raw: z.boolean().default(false) })
          .strict(),
      )
      .default([]),
  })
  .strict();
const queueInput = z
  .object({
    visibilityTimeoutSeconds: z.number().int().min(0).max(43_200).optional(),
    messageRetentionSeconds: z.number().int().min(60).max(1_209_600).optional(),
  })
  .strict();
const redriveInput = z
  .object({
    ids: z.array(z.number().int().positive()).optional(),
    destination: z.string().optional(),
  })
  .strict();

class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Vigil's admin API: JSON over HTTP under `/_vigil/admin/`, every call signed with AWS
 * Signature V4 (service name `vigil`), e.g.
 * `curl --aws-sigv4 aws:amz:us-east-1:vigil --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" …`.
 */
export function createAdminRoute(deps: AdminDependencies): Route {
  return {
    name: 'admin',
    matches: (req) => req.url?.startsWith(PREFIX) ?? false,
    handle: async (req, res) => {
      try {
        const body = await readBody(req);
        const credential = authenticate(req, body, deps);
        const url = new URL(req.url ?? '/', 'http://vigil');
        authorize(req, url, credential, deps);
        const result = await route(req.method ?? 'GET', url, body, deps);
        send(res, result.status ?? 200, result.body);
      } catch (error) {
        if (error instanceof AdminError) {
          send(res, error.status, { error: { code: error.code, message: error.message } });
        } else if (error instanceof QueueError) {
          send(res, error.code === 'QueueDoesNotExist' ? 404 : 400, {
            error: { code: error.code, message: error.message },
          });
        } else if (error instanceof S3Error) {
          send(res, error.status, { error: { code: error.code, message: error.message } });
        } else if (error instanceof z.ZodError) {
          const issue = error.issues[0]!;
          send(res, 400, {
            error: {
              code: 'InvalidInput',
              message: `${issue.path.join('.') || 'body'}: ${issue.message}`,
            },
          });
        } else {
          deps.logger.error({ err: error }, 'admin API failure');
          send(res, 500, { error: { code: 'InternalError', message: 'internal error' } });
        }
      }
    },
  };
}

async function route(
  method: string,
  url: URL,
  body: Buffer,
  deps: AdminDependencies,
): Promise<{ status?: number; body: unknown }> {
  const { key, name } = routeOf(method, url);
  const json = () => parseJson(body);
  const named = () => {
    if (name === undefined || !NAME.test(name))
      throw new AdminError(
        400,
        'InvalidName',
        'expected 1-80 letters, digits, hyphens or underscores',
      );
    return name;
  };
  switch (key) {
    case 'GET outbox':
      return { body: { destinations: deps.outbox.backlog() } };
    case 'GET dlq': {
      const destination = url.searchParams.get('destination') ?? undefined;
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 100) || 100, 10_000);
      const letters = deps.outbox.deadLetters(
        destination === undefined ? {} : { destination },
        limit,
      );
      return { body: { deadLetters: letters.map(describeDeadLetter) } };
    }
    case 'POST dlq/:name': {
      if (name !== 'redrive') break;
      const input = redriveInput.parse(body.length ? json() : {});
      const count = deps.outbox.redrive(
        {
          ...(input.ids ? { ids: input.ids } : {}),
          ...(input.destination ? { destination: input.destination } : {}),
        },
        Date.now(),
      );
      deps.wake();
      return { body: { redriven: count } };
    }
    case 'GET webhooks':
      return {
        body: {
          webhooks: deps.directory.listWebhooks().map(({ name, arn, settings }) => ({
            name,
            arn,
            url: settings.url,
            timeoutMs: settings.timeoutMs,
          })),
        },
      };
    case 'PUT webhooks/:name': {
      const input = webhookInput.parse(json());
      const saved = deps.directory.putWebhook(named(), input);
      // The secret is shown here, once, because a generated one is otherwise unknowable.
      return { body: { name, arn: deps.directory.webhookArn(named()), ...saved } };
    }
    case 'DELETE webhooks/:name':
      return removed(deps.directory.deleteWebhook(named()));
    case 'GET topics':
      return {
        body: {
          topics: deps.directory
            .listTopics()
            .map(({ name, arn, settings }) => ({ name, arn, ...settings })),
        },
      };
    case 'PUT topics/:name': {
      const input = topicInput.parse(json());
      deps.directory.putTopic(named(), input);
      return { body: { name, arn: deps.directory.topicArn(named()), ...input } };
    }
    case 'DELETE topics/:name':
      return removed(deps.directory.deleteTopic(named()));
    case 'GET queues':
      return { body: { queues: deps.queues.list() } };
    case 'PUT queues/:name': {
      const input = queueInput.parse(json());
      await deps.queues.create(named(), input);
      return { body: { name, arn: deps.directory.queueArn(named()) } };
    }
    case 'DELETE queues/:name':
      return removed(await deps.queues.remove(named()));
    case 'GET functions':
      return {
        body: {
          functions: deps.functions.functionNames().map((n) => describeFunction(n, deps)),
        },
      };
    case 'GET functions/:name':
      return { body: describeFunction(declared(named(), deps), deps) };
    case 'GET functions/:name/invocations': {
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 20) || 20, 1000);
      const invocations = deps.functions.recentInvocations(declared(named(), deps), limit);
      return { body: { invocations: invocations.map(invocationView) } };
    }
  }
  throw new AdminError(404, 'NotFound', `no admin endpoint ${method} ${url.pathname}`);
}

function declared(name: string, deps: AdminDependencies): string {
  if (!deps.functions.describe(name)) throw new AdminError(404, 'NotFound', 'no such function');
  return name;
}

function describeFunction(name: string, deps: AdminDependencies) {
  const fn = deps.functions.describe(name)!;
  return {
    name,
    arn: functionArn(deps, name),
    timeoutSeconds: fn.timeoutSeconds,
    memoryMb: fn.memoryMb,
    reservedConcurrency: fn.reservedConcurrency,
    maximumRetryAttempts: fn.maximumRetryAttempts,
    maximumEventAgeSeconds: fn.maximumEventAgeSeconds,
    onFailure: fn.onFailure ?? null,
    recursiveLoop: fn.recursiveLoop,
    recursionStops: deps.functions.recursionStops(name),
  };
}

function removed(existed: boolean): { status: number; body: unknown } {
  if (!existed) throw new AdminError(404, 'NotFound', 'no such destination');
  return { status: 200, body: { deleted: true } };
}

function describeDeadLetter(entry: ReturnType<OutboxStore['deadLetters']>[number]) {
  return {
    id: entry.id,
    eventId: entry.eventId,
    destination: entry.destination,
    bucket: entry.bucket,
    key: entry.key,
    eventName: entry.eventName,
    attempts: entry.attempts,
    lastError: entry.lastError,
    createdAt: new Date(entry.createdAt).toISOString(),
    deadAt: entry.deadAt === null ? null : new Date(entry.deadAt).toISOString(),
    message: JSON.parse(entry.body) as unknown,
  };
}

/** The route key of a call (`PUT queues/:name`), its collection and name. */
function routeOf(method: string, url: URL) {
  const parts = url.pathname
    .slice(PREFIX.length)
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  const [collection, name, action] = parts;
  return {
    key: `${method} ${collection ?? ''}${name === undefined ? '' : '/:name'}${action ? `/${action}` : ''}`,
    collection,
    name,
    action,
  };
}

/**
 * Refuses unless the signer may make this call: action `vigil:<Verb><Thing>`, resource
 * `arn:vigil:admin:<region>:<account>:<collection>[/<name>]`. Unknown calls are left to the
 * router's 404.
 */
function authorize(
  req: IncomingMessage,
  url: URL,
  credential: Credential,
  deps: AdminDependencies,
): void {
  const { key, collection, name } = routeOf(req.method ?? 'GET', url);
  const action = ADMIN_ACTIONS[key];
  if (action === undefined) return;
  const resource = `arn:vigil:admin:${deps.region}:${deps.accountId}:${collection ?? ''}${name === undefined ? '' : `/${name}`}`;
  const evaluation = deps.gate.authorize(credential.principal, action, resource, {
    context: requestConditionKeys(req, deps.proxies),
  });
  if (evaluation.decision !== 'Allow')
    throw new AdminError(403, 'AccessDenied', evaluation.message);
}

function authenticate(req: IncomingMessage, body: Buffer, deps: AdminDependencies): Credential {
  const request = {
    method: req.method ?? 'GET',
    rawUrl: req.url ?? '/',
    headers: req.headers,
    payloadSha256: createHash('sha256').update(body).digest('hex'),
  };
  if (!isSigned(request))
    throw new AdminError(
      403,
      'AccessDenied',
      'Sign admin requests with AWS Signature V4 (service "vigil").',
    );
  const verified = verifySigV4(request, {
    lookupSecret: (id) => deps.gate.credential(id)?.secretAccessKey,
    services: ['vigil'],
  });
  if (verified.payload.kind === 'sha256' && verified.payload.expectedHex !== request.payloadSha256)
    throw new AdminError(
      400,
      'XAmzContentSHA256Mismatch',
      'The body does not match x-amz-content-sha256.',
    );
  const credential = signingCredential(deps.gate, verified.accessKeyId, req.headers);
  if (!credential)
    throw new AdminError(
      403,
      'InvalidToken',
      'The security token included in the request is invalid.',
    );
  return credential;
}

async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new AdminError(413, 'TooLarge', 'admin request bodies are limited to 1 MiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AdminError(400, 'InvalidJson', 'the body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
