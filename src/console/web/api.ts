/**
 * The console API as the browser calls it: one `fetch` wrapper that adds the CSRF header to
 * state changes and turns `{ error: { code, message } }` answers into `ApiError`, and one
 * typed function per endpoint of `../api-types.ts`.
 */
import type {
  AccessKeyStatus,
  CreatedAccessKey,
  DeleteIamUserResponse,
  DeliveryOverview,
  ExportFormat,
  FunctionsOverview,
  IamAccessKeyView,
  IamRolesResponse,
  IamUsersResponse,
  IamUserView,
  InlinePolicyResponse,
  LoginRequest,
  ManagedPoliciesResponse,
  ObjectSearchResponse,
  RedriveRequest,
  RedriveResponse,
  ReportResponse,
  ReviewClaimResponse,
  ReviewDecisionRequest,
  ReviewDecisionResponse,
  ReviewQueueResponse,
  Session,
  TimelineResponse,
  WorkerDeadLettersOverview,
  WorkerRedriveRequest,
} from '../api-types.js';

export const CONSOLE_URL = '/_vigil/console/';
export const LOGIN_URL = '/_vigil/console/login';
export const API_ROOT = '/_vigil/console/api/';

const logoutHooks = new Set<() => Promise<void>>();

/**
 * Runs `hook` before the next logouts (e.g. to give back a held item while the session still
 * allows it); returns the function that unregisters it.
 */
export function beforeLogout(hook: () => Promise<void>): () => void {
  logoutHooks.add(hook);
  return () => logoutHooks.delete(hook);
}

/** Runs the registered hooks, each failure ignored. */
export async function runLogoutHooks(): Promise<void> {
  await Promise.all([...logoutHooks].map((hook) => hook().catch(() => undefined)));
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** From `Retry-After` on 429, in seconds. */
    readonly retryAfterSeconds: number | null = null,
    /** Extra fields of the error object, e.g. `claimedBy` on a claim conflict. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ClientOptions {
  /** Called on a 401 before the error is thrown; the app goes to the login page. */
  onUnauthenticated?: () => void;
}

/** `Retry-After` is seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

async function errorFrom(res: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
  try {
    const body = (await res.json()) as { error?: Record<string, unknown> };
    const { code, message, ...extra } = body.error ?? {};
    if (typeof code === 'string' && typeof message === 'string') {
      return new ApiError(res.status, code, message, retryAfter, extra);
    }
  } catch {
    // Not JSON (a proxy's error page): fall through to the status line.
  }
  return new ApiError(
    res.status,
    `Http${res.status}`,
    res.statusText || 'Request failed',
    retryAfter,
  );
}

export type ConsoleApi = ReturnType<typeof createApi>;

export function createApi(options: ClientOptions = {}) {
  let csrfToken = '';

  async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET') {
      headers['content-type'] = 'application/json';
      headers['x-csrf-token'] = csrfToken;
    }
    let res: Response;
    try {
      res = await fetch(API_ROOT + path, {
        method,
        headers,
        credentials: 'same-origin',
        ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
      });
    } catch {
      throw new ApiError(0, 'NetworkError', 'Vigil is not reachable. Is the server running?');
    }
    if (!res.ok) {
      const error = await errorFrom(res);
      if (res.status === 401) options.onUnauthenticated?.();
      throw error;
    }
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  const get = <T>(path: string) => request<T>('GET', path);
  const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body);

  return {
    setCsrfToken(token: string): void {
      csrfToken = token;
    },
    /** For `pagehide`: a release that outlives the page. Errors are of no use then. */
    releaseOnExit(id: number): void {
      void fetch(`${API_ROOT}review/${id}/release`, {
        method: 'POST',
        keepalive: true,
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
        body: '{}',
      }).catch(() => undefined);
    },

    login: (body: LoginRequest) => post<Session>('login', body),
    logout: () => post<undefined>('logout'),
    session: () => get<Session>('session'),

    reviewQueue: (limit = 50) => get<ReviewQueueResponse>(`review?limit=${limit}`),
    claim: (id: number) => post<ReviewClaimResponse>(`review/${id}/claim`),
    release: (id: number) => post<undefined>(`review/${id}/release`),
    decide: (id: number, body: ReviewDecisionRequest) =>
      post<ReviewDecisionResponse>(`review/${id}/decision`, body),

    objects: (bucket?: string, prefix?: string) =>
      get<ObjectSearchResponse>(`objects?${query({ bucket, prefix, limit: '50' })}`),
    timeline: (bucket: string, key: string) =>
      get<TimelineResponse>(`timeline?${query({ bucket, key })}`),

    delivery: () => get<DeliveryOverview>('operations/delivery'),
    redrive: (body: RedriveRequest) => post<RedriveResponse>('operations/redrive', body),
    workerDeadLetters: () => get<WorkerDeadLettersOverview>('operations/worker-dead-letters'),
    workerRedrive: (body: WorkerRedriveRequest) =>
      post<RedriveResponse>('operations/worker-redrive', body),
    functions: () => get<FunctionsOverview>('operations/functions'),

    iamUsers: () => get<IamUsersResponse>('identities/users'),
    iamRoles: () => get<IamRolesResponse>('identities/roles'),
    managedPolicies: () => get<ManagedPoliciesResponse>('identities/managed-policies'),
    createIamUser: (userName: string) => post<IamUserView>('identities/users', { userName }),
    deleteIamUser: (userName: string, withKeysAndPolicies: boolean) =>
      post<DeleteIamUserResponse>(`${iamUser(userName)}/delete`, { withKeysAndPolicies }),
    createAccessKey: (userName: string) =>
      post<CreatedAccessKey>(`${iamUser(userName)}/access-keys`),
    setAccessKeyStatus: (userName: string, accessKeyId: string, status: AccessKeyStatus) =>
      post<IamAccessKeyView>(
        `${iamUser(userName)}/access-keys/${encodeURIComponent(accessKeyId)}/status`,
        { status },
      ),
    deleteAccessKey: (userName: string, accessKeyId: string) =>
      post<undefined>(`${iamUser(userName)}/access-keys/${encodeURIComponent(accessKeyId)}/delete`),
    inlinePolicy: (kind: 'user' | 'role', name: string, policyName: string) =>
      get<InlinePolicyResponse>(
        `identities/${kind}s/${encodeURIComponent(name)}/policies/${encodeURIComponent(policyName)}`,
      ),
    putInlinePolicy: (userName: string, policyName: string, document: string) =>
      post<undefined>(`${iamUser(userName)}/policies/${encodeURIComponent(policyName)}`, {
        document,
      }),
    deleteInlinePolicy: (userName: string, policyName: string) =>
      post<undefined>(`${iamUser(userName)}/policies/${encodeURIComponent(policyName)}/delete`),
    attachPolicy: (userName: string, policyArn: string) =>
      post<undefined>(`${iamUser(userName)}/attached-policies`, { policyArn }),
    detachPolicy: (userName: string, policyArn: string) =>
      post<undefined>(`${iamUser(userName)}/attached-policies/detach`, { policyArn }),

    reports: (from: string, to: string, granularity: 'hour' | 'day') =>
      get<ReportResponse>(`reports?${query({ from, to, granularity })}`),
  };
}

/** The API path of one IAM user. */
function iamUser(name: string): string {
  return `identities/users/${encodeURIComponent(name)}`;
}

/** A query string from the defined, non-empty values. */
export function query(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') params.set(name, value);
  }
  return params.toString();
}

/** A plain link for `<a download>`: the server answers with Content-Disposition. */
export function exportUrl(
  what: 'records' | 'audit',
  from: string,
  to: string,
  format: ExportFormat,
): string {
  return `${API_ROOT}export/${what}?${query({ from, to, format })}`;
}

/** The thumbnail URL, given relative to the API root; blurred unless revealed. */
export function thumbnailUrl(thumbnail: string, reveal: boolean): string {
  const base = thumbnail.startsWith('/') ? thumbnail : API_ROOT + thumbnail;
  if (!reveal) return base;
  return `${base}${base.includes('?') ? '&' : '?'}reveal=1`;
}

/** The message to show for any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
