/**
 * The bearer token that guards `/_vigil/metrics` on `vigil serve` and `vigil worker`: read
 * once at start, compared in constant time on every scrape.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError, type VigilConfig } from '../config/index.js';

const MIN_LENGTH = 16;
/** As `metrics.bearerToken` requires: what a header can carry after `Bearer `. */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;
const REALM = 'Bearer realm="vigil-metrics"';

/**
 * The token scrapes must present, or undefined when metrics are open (nothing configured).
 *
 * @throws ConfigError when `bearerTokenFile` cannot be read or holds fewer than 16 characters.
 */
export function metricsBearerToken(settings: VigilConfig['metrics']): string | undefined {
  if (settings.bearerToken !== undefined) return settings.bearerToken;
  const path = settings.bearerTokenFile;
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Invalid metrics.bearerTokenFile: cannot read ${path} (${(error as Error).message}); mount the secret there or unset the field.`,
    );
  }
  // Secrets written with `echo` or an editor end in a newline; Prometheus trims its copy too.
  const token = text.trim();
  const fix = `(e.g. \`openssl rand -hex 32 > ${path}\`)`;
  if (token.length < MIN_LENGTH)
    throw new ConfigError(
      `Invalid metrics.bearerTokenFile: ${path} holds ${token.length} characters; expected at least ${MIN_LENGTH} ${fix}.`,
    );
  if (!TOKEN_CHARS.test(token))
    throw new ConfigError(
      `Invalid metrics.bearerTokenFile: ${path} holds spaces or non-ASCII characters; expected one printable ASCII word ${fix}.`,
    );
  return token;
}

/**
 * Whether `authorization` is `Bearer <token>` (scheme in any case, RFC 7235). The two values
 * are hashed first, so neither their contents nor their lengths show in the time taken.
 *
 * @example
 * bearerMatches('Bearer s3cr3t-s3cr3t-s3cr3t', 's3cr3t-s3cr3t-s3cr3t'); // true
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  const presented = match?.[1] ?? '';
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(token)) && match !== null;
}

/**
 * Lets the request through (true) when no token is configured or it carries the token;
 * otherwise answers 401 with the `WWW-Authenticate` challenge of RFC 6750 and returns false.
 */
export function authorizeMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  token: string | undefined,
): boolean {
  if (token === undefined || bearerMatches(req.headers.authorization, token)) return true;
  const challenge = req.headers.authorization ? `${REALM}, error="invalid_token"` : REALM;
  const body = 'Unauthorized: /_vigil/metrics needs Authorization: Bearer <token>\n';
  res.writeHead(401, {
    'www-authenticate': challenge,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return false;
}
