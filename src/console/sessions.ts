/**
 * Console sessions: a random id in an HttpOnly, SameSite=Strict cookie, held in memory (a
 * restart logs everyone out), each with its own CSRF token that every state change must
 * echo in `X-CSRF-Token`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Role } from './api-types.js';

export const SESSION_COOKIE = 'vigil_session';
export const COOKIE_PATH = '/_vigil/console';

export interface ConsoleSession {
  id: string;
  username: string;
  role: Role;
  csrfToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    private readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(username: string, role: Role): ConsoleSession {
    this.sweep();
    const session: ConsoleSession = {
      id: randomBytes(32).toString('base64url'),
      username,
      role,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: this.now() + this.lifetimeMs,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session named by the request's cookie, if any. */
  fromRequest(req: IncomingMessage): ConsoleSession | undefined {
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session of a user (e.g. removed from config). */
  destroyUser(username: string): void {
    for (const [id, s] of this.sessions) if (s.username === username) this.sessions.delete(id);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}

/** Whether the request carries the session's CSRF token in `X-CSRF-Token`. */
export function csrfTokenValid(req: IncomingMessage, session: ConsoleSession): boolean {
  const sent = req.headers['x-csrf-token'];
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether a state-changing request comes from the console's own origin: an `Origin` (or,
 * without one, `Referer`) naming another host is refused. Requests with neither (non-browser
 * clients) pass; they still need the CSRF token, which only a page of the console can read.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const source = req.headers.origin ?? req.headers.referer;
  if (!source || source === 'null') return source === undefined;
  try {
    return new URL(source).host === req.headers.host;
  } catch {
    return false;
  }
}

/** The `Set-Cookie` value that stores (or, with `maxAgeSeconds` 0, clears) a session. */
export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    `Path=${COOKIE_PATH}`,
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** Whether the client reached Vigil over TLS (directly, or through a proxy that says so). */
export function isSecure(req: IncomingMessage): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  return req.headers['x-forwarded-proto'] === 'https';
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
