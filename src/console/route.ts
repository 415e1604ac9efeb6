/**
 * The moderator console at `/_vigil/console/`: the built browser app (static files) and its
 * JSON API under `/_vigil/console/api/`. Only the login page, its script and the style sheet
 * are served without a session; every API call but login needs one, and every state change
 * also needs the session's CSRF token and a same-origin request. Rights by role are in
 * `ROLE_RIGHTS` (api-types.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DeadLetterFilter, OutboxStore } from '../delivery/outbox-store.js';
import type { FunctionRuntime } from '../functions/index.js';
import { renderAttempt } from '../functions/index.js';
import type { Route } from '../http/server.js';
import {
  computeReport,
  exportAudit,
  exportRecords,
  percentile,
  type ReportStore,
} from '../reporting/index.js';
import type { StorageEngine } from '../storage/index.js';
import {
  ROLE_RIGHTS,
  type DeliveryOverview,
  type FunctionsOverview,
  type ObjectSearchResponse,
  type Right,
  type Session,
  type TimelineStep,
  type WorkerDeadLettersOverview,
} from './api-types.js';
import { ConsoleError } from './errors.js';
import type { IdentitiesDesk } from './identities-desk.js';
import { identitiesApi, IDENTITIES_PREFIX } from './identities-route.js';
import type { LoginLimiter } from './login-limiter.js';
import type { ReviewDesk, Reviewer } from './review-desk.js';
import {
  csrfTokenValid,
  isSecure,
  sameOrigin,
  sessionCookie,
  SESSION_COOKIE,
  type ConsoleSession,
  type SessionStore,
} from './sessions.js';
import type { Thumbnails } from './thumbnails.js';
import { deadLetterSummary } from '../worker/dead-letters.js';
import {
  asAttempt,
  type PostgresInvocationLog,
  type WorkerInvocation,
} from '../worker/invocation-log.js';
import type { DeadLetterStore } from '../worker/types.js';
import type { ConsoleUsers } from './users.js';

export const CONSOLE_PREFIX = '/_vigil/console';
const API_PREFIX = `${CONSOLE_PREFIX}/api/`;
const MAX_BODY_BYTES = 64 * 1024;

export interface ConsoleOptions {
  users: ConsoleUsers;
  sessions: SessionStore;
  loginLimiter: LoginLimiter;
  desk: ReviewDesk;
  reports: ReportStore;
  thumbnails: Thumbnails;
  engine: Pick<StorageEngine, 'listBuckets' | 'listEntries'>;
  outbox: Pick<OutboxStore, 'backlog' | 'deadLetters' | 'redrive'>;
  /** Wakes the dispatcher after a redrive. */
  wake: () => void;
  /**
   * Opens the dead letters of the `vigil worker` event source, for each request that needs
   * them (console.workerDeadLetters); absent when the console does not show them.
   */
  workerDeadLetters?: () => Promise<DeadLetterStore>;
  /** IAM users, keys, policies and roles, for the Identities page (admins). */
  identities: IdentitiesDesk;
  functions: Pick<FunctionRuntime, 'functionNames' | 'recentInvocations' | 'recursionStops'>;
  /** The invocation log of `vigil worker` functions (shared PostgreSQL), when there is one. */
  workerInvocations?: Pick<PostgresInvocationLog, 'functionNames' | 'recent'>;
  /** An object key's story, oldest step first. */
  timeline(bucket: string, key: string): Promise<TimelineStep[]>;
  /** Per destination, deliveries and failures since a time (epoch ms). */
  deliveryStats(since: number): { destination: string; delivered: number; failed: number }[];
  vcpuHourUsd: number;
  /** The built browser app; default: dist/console/web next to the compiled module. */
  webDir?: string;
  now?: () => number;
  logger: Logger;
}

/** Static files of the browser app: URL path → file, and whether it needs a session. */
const STATIC: Record<string, { file: string; type: string; public: boolean }> = {
  [`${CONSOLE_PREFIX}/login`]: {
    file: 'login.html',
    type: 'text/html; charset=utf-8',
    public: true,
  },
  [`${CONSOLE_PREFIX}/login.js`]: {
    file: 'login.js',
    type: 'text/javascript; charset=utf-8',
    public: true,
  },
  [`${CONSOLE_PREFIX}/app.css`]: { file: 'app.css', type: 'text/css; charset=utf-8', public: true },
  [`${CONSOLE_PREFIX}/favicon.svg`]: { file: 'favicon.svg', type: 'image/svg+xml', public: true },
  [`${CONSOLE_PREFIX}/`]: { file: 'index.html', type: 'text/html; charset=utf-8', public: false },
  [`${CONSOLE_PREFIX}/app.js`]: {
    file: 'app.js',
    type: 'text/javascript; charset=utf-8',
    public: false,
  },
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/**
 * Where the built app is: next to this module once compiled, else in dist/ (tests, which run
 * the sources: src/console/web holds the sources, index.html among them, but no bundle).
 */
export function defaultWebDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'web');
  if (existsSync(join(beside, 'app.js'))) return beside;
  return join(here, '..', '..', 'dist', 'console', 'web');
}

export function createConsoleRoute(options: ConsoleOptions): Route {
  const webDir = options.webDir ?? defaultWebDir();
  const now = options.now ?? Date.now;
  return {
    name: 'console',
    matches: (req) => {
      const path = (req.url ?? '').split('?')[0]!;
      return path === CONSOLE_PREFIX || path.startsWith(`${CONSOLE_PREFIX}/`);
    },
    handle: async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://console.invalid');
      try {
        if (url.pathname.startsWith(API_PREFIX)) {
          await api(req, res, url, options, now);
          return;
        }
        await serveStatic(req, res, url, options, webDir);
      } catch (error) {
        if (error instanceof ConsoleError) {
          sendJson(
            res,
            error.status,
            { error: { code: error.code, message: error.message, ...error.details } },
            error.headers,
          );
          return;
        }
        if (error instanceof z.ZodError) {
          const issue = error.issues[0];
          const message = `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`;
          sendJson(res, 400, { error: { code: 'InvalidInput', message } });
          return;
        }
        options.logger.error({ err: error, url: url.pathname }, 'console request failed');
        sendJson(res, 500, { error: { code: 'InternalError', message: 'Internal error.' } });
      }
    },
  };
}

async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: ConsoleOptions,
  webDir: string,
): Promise<void> {
  const path = url.pathname === CONSOLE_PREFIX ? `${CONSOLE_PREFIX}/` : url.pathname;
  const entry = STATIC[path];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-length': '0' }).end();
    return;
  }
  if (!entry?.public && !options.sessions.fromRequest(req)) {
    // Pages go to the login page; anything else is simply not there for a stranger.
    if (entry?.type.startsWith('text/html') || path === `${CONSOLE_PREFIX}/`) {
      res
        .writeHead(302, { location: `${CONSOLE_PREFIX}/login`, 'cache-control': 'no-store' })
        .end();
    } else {
      res.writeHead(401, { 'content-length': '0', 'cache-control': 'no-store' }).end();
    }
    return;
  }
  if (!entry) {
    res.writeHead(404, { 'content-length': '0' }).end();
    return;
  }
  let body: Buffer;
  try {
    body = await readFile(join(webDir, entry.file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    res
      .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
      .end('The console is not built: run npm run build.\n');
    return;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': entry.type,
    'content-length': String(body.length),
    // The HTML is small and must pick up a new build; the bundles are revalidated too.
    'cache-control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

// ---- the API ----------------------------------------------------------------------------

const loginInput = z
  .object({ username: z.string().min(1).max(256), password: z.string().max(1024) })
  .strict();
const decisionInput = z
  .object({
    action: z.enum(['approve', 'keep-blocked', 'delete']),
    note: z.string().max(2000).optional(),
  })
  .strict();
const workerRedriveInput = z
  .object({
    ids: z.array(z.string().min(1).max(200)).min(1).max(10_000).optional(),
    all: z.literal(true).optional(),
  })
  .strict()
  .refine((r) => (r.ids !== undefined) !== (r.all !== undefined), {
    message: 'give ids or all',
  });

const redriveInput = z
  .object({
    ids: z.array(z.number().int().positive()).max(10_000).optional(),
    destination: z.string().min(1).max(2048).optional(),
  })
  .strict()
  .refine((r) => r.ids !== undefined || r.destination !== undefined, {
    message: 'give ids or a destination',
  });

async function api(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: ConsoleOptions,
  now: () => number,
): Promise<void> {
  const route = url.pathname.slice(API_PREFIX.length);
  const method = req.method ?? 'GET';
  const changes = method !== 'GET' && method !== 'HEAD';
  if (changes && !sameOrigin(req))
    throw new ConsoleError(403, 'Forbidden', 'Cross-origin requests are refused.');

  if (route === 'login' && method === 'POST') {
    await login(req, res, options, now);
    return;
  }

  const session = options.sessions.fromRequest(req);
  if (!session || options.users.roleOf(session.username) === undefined)
    throw new ConsoleError(401, 'Unauthenticated', 'Log in first.');
  if (changes && !csrfTokenValid(req, session))
    throw new ConsoleError(403, 'CsrfTokenInvalid', 'The X-CSRF-Token header is missing or wrong.');
  const reviewer: Reviewer = { name: session.username, sourceIp: clientAddress(req) };
  const need = (right: Right) => {
    if (!(ROLE_RIGHTS[session.role] as readonly Right[]).includes(right))
      throw new ConsoleError(403, 'Forbidden', `The ${session.role} role cannot use ${right}.`);
  };
  const { reports } = options;
  if (route.startsWith(IDENTITIES_PREFIX)) {
    need('identities');
    const answer = await identitiesApi(
      options.identities,
      method,
      route.slice(IDENTITIES_PREFIX.length),
      session.username,
      () => readJson(req),
    );
    if (answer?.body !== undefined) {
      sendJson(res, answer.status, answer.body);
      return;
    }
    if (answer) {
      res.writeHead(answer.status, { 'cache-control': 'no-store' }).end();
      return;
    }
  }
  const review = /^review\/(\d{1,15})\/(claim|release|decision|thumbnail)$/.exec(route);

  switch (`${method} ${review ? `review/:id/${review[2]}` : route}`) {
    case 'GET session':
      sendJson(res, 200, describeSession(session));
      return;
    case 'POST logout':
      options.sessions.destroy(session.id);
      res
        .writeHead(204, {
          'set-cookie': sessionCookie('', 0, isSecure(req)),
          'cache-control': 'no-store',
        })
        .end();
      return;
    case 'GET review': {
      need('review');
      const limit = boundedInt(url.searchParams.get('limit'), 50, 1, 500);
      sendJson(res, 200, await options.desk.list(limit));
      return;
    }
    case 'POST review/:id/claim':
      need('review');
      sendJson(res, 200, await options.desk.claim(Number(review![1]), reviewer));
      return;
    case 'POST review/:id/release':
      need('review');
      await options.desk.release(Number(review![1]), reviewer);
      res.writeHead(204, { 'cache-control': 'no-store' }).end();
      return;
    case 'POST review/:id/decision': {
      need('review');
      const input = decisionInput.parse(await readJson(req));
      sendJson(
        res,
        200,
        await options.desk.decide(
          Number(review![1]),
          reviewer,
          input.action,
          input.note?.trim() || null,
        ),
      );
      return;
    }
    case 'GET review/:id/thumbnail': {
      need('review');
      await thumbnail(
        res,
        Number(review![1]),
        url.searchParams.get('reveal') === '1',
        reviewer,
        options,
        now,
      );
      return;
    }
    case 'GET objects': {
      need('timeline');
      sendJson(res, 200, searchObjects(url, options));
      return;
    }
    case 'GET timeline': {
      need('timeline');
      const bucket = url.searchParams.get('bucket');
      const key = url.searchParams.get('key');
      if (!bucket || !key)
        throw new ConsoleError(400, 'InvalidInput', 'bucket and key are required.');
      sendJson(res, 200, { bucket, key, steps: await options.timeline(bucket, key) });
      return;
    }
    case 'GET operations/delivery':
      need('operations');
      sendJson(res, 200, deliveryOverview(options, now()));
      return;
    case 'POST operations/redrive': {
      need('operations');
      const input = redriveInput.parse(await readJson(req));
      const filter: DeadLetterFilter = {
        ...(input.ids ? { ids: input.ids } : {}),
        ...(input.destination ? { destination: input.destination } : {}),
      };
      const redriven = options.outbox.redrive(filter, now());
      options.wake();
      await reports.appendAudit(redriveAudit(now(), session.username, { ...filter, redriven }));
      sendJson(res, 200, { redriven });
      return;
    }
    case 'GET operations/worker-dead-letters':
      need('operations');
      sendJson(res, 200, await workerDeadLetters(options));
      return;
    case 'POST operations/worker-redrive': {
      need('operations');
      const input = workerRedriveInput.parse(await readJson(req));
      if (!options.workerDeadLetters)
        throw new ConsoleError(
          404,
          'NotConfigured',
          'This console does not show worker dead letters (console.workerDeadLetters).',
        );
      const store = await options.workerDeadLetters();
      let redriven: number;
      try {
        redriven = await store.redrive(input.all ? 'all' : input.ids!);
      } finally {
        await store.close();
      }
      await reports.appendAudit(
        redriveAudit(now(), session.username, { source: store.name, ...input, redriven }),
      );
      sendJson(res, 200, { redriven });
      return;
    }
    case 'GET operations/functions':
      need('operations');
      sendJson(res, 200, await functionsOverview(options));
      return;
    case 'GET reports': {
      need('reports');
      const range = rangeOf(url, now());
      const granularity = url.searchParams.get('granularity') === 'day' ? 'day' : 'hour';
      const [records, decided, backlog] = await Promise.all([
        reports.recordsBetween(range, 1_000_000),
        reports.decidedBetween(range),
        reports.countPendingReviews(),
      ]);
      try {
        sendJson(
          res,
          200,
          computeReport({
            range,
            granularity,
            records,
            decided,
            backlog,
            vcpuHourUsd: options.vcpuHourUsd,
          }),
        );
      } catch (error) {
        if (error instanceof RangeError) throw new ConsoleError(400, 'InvalidInput', error.message);
        throw error;
      }
      return;
    }
    case 'GET export/records':
    case 'GET export/audit': {
      need('reports');
      const range = rangeOf(url, now());
      const format = url.searchParams.get('format') === 'json' ? 'json' : 'csv';
      const what = route === 'export/records' ? 'records' : 'audit';
      const text =
        what === 'records'
          ? exportRecords(await reports.recordsBetween(range, 1_000_000), format)
          : exportAudit(await reports.auditLog(range, 1_000_000), format);
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      res.writeHead(200, {
        'content-type':
          format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="vigil-${what}-${day(range.from)}-${day(range.to)}.${format}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(text);
      return;
    }
  }
  throw new ConsoleError(404, 'NotFound', `No console endpoint ${method} /${route}.`);
}

async function login(
  req: IncomingMessage,
  res: ServerResponse,
  options: ConsoleOptions,
  now: () => number,
): Promise<void> {
  const input = loginInput.parse(await readJson(req));
  const address = clientAddress(req);
  const account = options.users.accountOf(input.username);
  // Counted before the password is checked, so concurrent guesses cannot outrun the count.
  const wait = await options.loginLimiter.take(address, account);
  if (wait > 0)
    throw new ConsoleError(
      429,
      'TooManyAttempts',
      `Too many failed logins; try again in ${wait} s.`,
      {
        'retry-after': String(wait),
      },
    );
  const user = await options.users.authenticate(input.username, input.password);
  const audit = (actor: string, action: string) =>
    options.reports.appendAudit({
      at: now(),
      actor,
      action,
      bucket: null,
      key: null,
      etag: null,
      reviewItemId: null,
      note: `from ${address}`,
      tagsBefore: null,
      tagsAfter: null,
    });
  if (!user) {
    await audit(input.username.slice(0, 64), 'login.failed');
    throw new ConsoleError(401, 'Unauthenticated', 'Wrong username or password.');
  }
  await options.loginLimiter.succeeded(address, account);
  const session = options.sessions.create(user.name, user.role);
  await audit(user.name, 'login');
  const maxAge = (session.expiresAt - now()) / 1000;
  sendJson(res, 200, describeSession(session), {
    'set-cookie': sessionCookie(session.id, maxAge, isSecure(req)),
  });
}

async function thumbnail(
  res: ServerResponse,
  id: number,
  reveal: boolean,
  reviewer: Reviewer,
  options: ConsoleOptions,
  now: () => number,
): Promise<void> {
  const { reports } = options;
  const review = await reports.getReview(id);
  if (!review) throw new ConsoleError(404, 'NotFound', 'No such review item.');
  const { record } = review;
  // Failed scans are not known to be harmful, but not known to be harmless either: blurred.
  const image = await options.thumbnails.get(record, reveal ? 'clear' : 'blurred');
  if (!image) throw new ConsoleError(404, 'NotFound', 'The object version under review is gone.');
  if (reveal)
    await reports.appendAudit({
      at: now(),
      actor: reviewer.name,
      action: 'review.reveal',
      bucket: record.bucket,
      key: record.key,
      etag: record.etag,
      reviewItemId: id,
      note: null,
      tagsBefore: null,
      tagsAfter: null,
    });
  res.writeHead(200, {
    'content-type': 'image/jpeg',
    'content-length': String(image.length),
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(image);
}

function searchObjects(url: URL, options: ConsoleOptions): ObjectSearchResponse {
  const buckets = options.engine.listBuckets().map((b) => b.name);
  const bucket = url.searchParams.get('bucket');
  if (!bucket) return { buckets, objects: [] };
  if (!buckets.includes(bucket)) throw new ConsoleError(404, 'NotFound', 'No such bucket.');
  const { objects } = options.engine.listEntries(bucket, {
    prefix: url.searchParams.get('prefix') ?? '',
    maxKeys: boundedInt(url.searchParams.get('limit'), 50, 1, 1000),
  });
  return {
    buckets,
    objects: objects.map((o) => ({
      bucket,
      key: o.key,
      size: o.size,
      etag: o.etag,
      lastModified: o.lastModified.toISOString(),
      blocked: o.tags.some((t) => t.Key === 'BlockedContent' && t.Value.toLowerCase() === 'true'),
    })),
  };
}

function deliveryOverview(options: ConsoleOptions, now: number): DeliveryOverview {
  const stats = new Map(options.deliveryStats(now - 3_600_000).map((s) => [s.destination, s]));
  const backlog = options.outbox.backlog();
  const destinations = new Set([...backlog.map((b) => b.destination), ...stats.keys()]);
  return {
    destinations: [...destinations].sort().map((destination) => {
      const b = backlog.find((x) => x.destination === destination);
      const s = stats.get(destination);
      return {
        destination,
        pending: b?.pending ?? 0,
        dead: b?.dead ?? 0,
        oldestPendingAt: b?.oldestPendingAt ?? null,
        deliveredLastHour: s?.delivered ?? 0,
        failedLastHour: s?.failed ?? 0,
      };
    }),
    deadLetters: options.outbox.deadLetters({}, 500).map((d) => ({
      id: d.id,
      destination: d.destination,
      eventName: d.eventName,
      bucket: d.bucket,
      key: d.key,
      attempts: d.attempts,
      lastError: d.lastError,
      createdAt: d.createdAt,
    })),
  };
}

/** The audit entry of a redrive (of the outbox's dead letters or a worker source's). */
function redriveAudit(at: number, actor: string, what: object) {
  return {
    at,
    actor,
    action: 'dlq.redrive',
    bucket: null,
    key: null,
    etag: null,
    reviewItemId: null,
    note: JSON.stringify(what),
    tagsBefore: null,
    tagsAfter: null,
  };
}

/** The worker source's dead letters; a source that cannot be read is said, not thrown. */
async function workerDeadLetters(options: ConsoleOptions): Promise<WorkerDeadLettersOverview> {
  if (!options.workerDeadLetters) return { source: null, letters: [] };
  let store: DeadLetterStore;
  try {
    store = await options.workerDeadLetters();
  } catch (error) {
    return { source: 'worker', letters: [], error: errorText(error) };
  }
  try {
    const letters = await store.list(500);
    return {
      source: store.name,
      letters: letters.map((l) => ({
        id: l.id,
        summary: deadLetterSummary(l.body),
        reason: l.reason,
        attempts: l.attempts,
        deadAt: l.deadAt,
      })),
    };
  } catch (error) {
    return { source: store.name, letters: [], error: errorText(error) };
  } finally {
    await store.close();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** This Vigil's functions, then those the workers ran (named `<name> (workers)` on a clash). */
async function functionsOverview(options: ConsoleOptions): Promise<FunctionsOverview> {
  const own = ownFunctions(options);
  const log = options.workerInvocations;
  if (!log) return { functions: own };
  const taken = new Set(own.map((f) => f.name));
  const workers = await Promise.all(
    (await log.functionNames()).map(async (name) =>
      workerFunction(taken.has(name) ? `${name} (workers)` : name, await log.recent(name, 1000)),
    ),
  );
  return { functions: [...own, ...workers] };
}

type FunctionOverview = FunctionsOverview['functions'][number];

/** A worker function's overview: each invocation one attempt, its message's retries apart. */
function workerFunction(name: string, invocations: WorkerInvocation[]): FunctionOverview {
  const durations = invocations.map((i) => i.durationMs).sort((a, b) => a - b);
  const succeeded = invocations.filter((i) => i.outcome === 'success').length;
  return {
    name,
    invocations: invocations.length,
    succeeded,
    failed: invocations.length - succeeded,
    pending: 0,
    durationP50: percentile(durations, 50),
    durationP95: percentile(durations, 95),
    durationP99: percentile(durations, 99),
    recursionStops: 0,
    recent: invocations.slice(0, 20).map((i) => ({
      requestId: i.requestId,
      state: i.outcome === 'success' ? 'succeeded' : 'failed',
      acceptedAt: i.startedAt,
      attempts: i.messageAttempt,
      log: renderAttempt(i.requestId, asAttempt(i)),
    })),
  };
}

function ownFunctions(options: ConsoleOptions): FunctionOverview[] {
  return options.functions.functionNames().map((name) => {
    const invocations = options.functions.recentInvocations(name, 1000);
    const durations = invocations
      .flatMap((i) => i.attemptLog.map((a) => a.durationMs))
      .filter((d): d is number => d !== null)
      .sort((a, b) => a - b);
    const count = (state: string) => invocations.filter((i) => i.state === state).length;
    return {
      name,
      invocations: invocations.length,
      succeeded: count('succeeded'),
      failed: count('failed'),
      pending: count('pending') + count('running'),
      durationP50: percentile(durations, 50),
      durationP95: percentile(durations, 95),
      durationP99: percentile(durations, 99),
      recursionStops: options.functions.recursionStops(name),
      recent: invocations.slice(0, 20).map((i) => ({
        requestId: i.requestId,
        state: i.state,
        acceptedAt: i.acceptedAt,
        attempts: i.attempts,
        log: i.attemptLog.map((a) => renderAttempt(i.requestId, a)).join(''),
      })),
    };
  });
}

function describeSession(session: ConsoleSession): Session {
  return {
    username: session.username,
    role: session.role,
    rights: [...ROLE_RIGHTS[session.role]],
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
  };
}

/** `from`/`to` as ISO dates (default: the last 7 days up to now). */
function rangeOf(url: URL, now: number): { from: number; to: number } {
  const parse = (name: string, fallback: number) => {
    const text = url.searchParams.get(name);
    if (text === null || text === '') return fallback;
    const ms = Date.parse(text);
    if (!Number.isFinite(ms))
      throw new ConsoleError(400, 'InvalidInput', `${name}: expected an ISO 8601 date or time.`);
    return ms;
  };
  const to = parse('to', now);
  const from = parse('from', to - 7 * 86_400_000);
  if (from >= to) throw new ConsoleError(400, 'InvalidInput', 'from must be before to.');
  return { from, to };
}

function boundedInt(text: string | null, fallback: number, min: number, max: number): number {
  const n = text === null ? fallback : Number(text);
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

function clientAddress(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json'))
    throw new ConsoleError(
      415,
      'UnsupportedMediaType',
      'Send JSON (Content-Type: application/json).',
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ConsoleError(413, 'TooLarge', 'The body is too large.');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ConsoleError(400, 'InvalidInput', 'The body is not valid JSON.');
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

export { SESSION_COOKIE };
