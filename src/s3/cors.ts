/**
 * Bucket CORS as S3 has it: the `CORSConfiguration` document (validated as S3 validates it),
 * the rule a request matches (first match wins), and the `Access-Control-*` headers of a
 * preflight (OPTIONS) and of an actual cross-origin request. Pure: no I/O.
 */
import { S3Error } from './errors.js';
import { children, text, texts, type XmlNode } from './xml.js';

export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: CorsMethod[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

export type CorsMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';

const METHODS: ReadonlySet<string> = new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD']);
/** S3's limit on rules per configuration. */
const MAX_RULES = 100;

/**
 * Reads a `CORSConfiguration` document's content (the root's children).
 *
 * @throws S3Error `MalformedXML` (no rule, a rule without origin or method, a bad
 *   MaxAgeSeconds, more than 100 rules), `InvalidRequest` (a method S3 does not allow, a
 *   second wildcard in an origin or header), as S3 answers.
 */
export function parseCorsConfiguration(root: XmlNode): CorsRule[] {
  const nodes = children(root, 'CORSRule');
  if (nodes.length === 0 || nodes.length > MAX_RULES) throw new S3Error('MalformedXML');
  return nodes.map((node) => {
    const list = (name: string) => texts(node, name);
    const allowedOrigins = list('AllowedOrigin');
    const allowedMethods = list('AllowedMethod');
    if (allowedOrigins.length === 0 || allowedMethods.length === 0)
      throw new S3Error('MalformedXML');
    for (const method of allowedMethods)
      if (!METHODS.has(method))
        throw new S3Error(
          'InvalidRequest',
          `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`,
        );
    const allowedHeaders = list('AllowedHeader');
    for (const [what, values] of [
      ['AllowedOrigin', allowedOrigins],
      ['AllowedHeader', allowedHeaders],
    ] as const)
      for (const value of values)
        if (value.split('*').length > 2)
          throw new S3Error(
            'InvalidRequest',
            `${what} "${value}" can not have more than one wildcard.`,
          );
    const maxAge = text(node, 'MaxAgeSeconds')?.trim();
    if (maxAge !== undefined && !/^\d+$/.test(maxAge)) throw new S3Error('MalformedXML');
    const id = text(node, 'ID');
    return {
      ...(id !== undefined ? { id } : {}),
      allowedOrigins,
      allowedMethods: allowedMethods as CorsMethod[],
      allowedHeaders,
      exposeHeaders: list('ExposeHeader'),
      ...(maxAge !== undefined ? { maxAgeSeconds: Number(maxAge) } : {}),
    };
  });
}

/** The rules as GetBucketCors writes them. */
export function corsConfigurationXml(rules: readonly CorsRule[]): XmlNode {
  return {
    CORSRule: rules.map((rule) => ({
      ...(rule.id !== undefined ? { ID: rule.id } : {}),
      AllowedHeader: rule.allowedHeaders,
      AllowedMethod: rule.allowedMethods,
      AllowedOrigin: rule.allowedOrigins,
      ExposeHeader: rule.exposeHeaders,
      ...(rule.maxAgeSeconds !== undefined ? { MaxAgeSeconds: String(rule.maxAgeSeconds) } : {}),
    })),
  };
}

/**
 * The first rule allowing `origin` to send `method` with `headers` (the names a preflight
 * lists in Access-Control-Request-Headers; none for an actual request).
 */
export function matchCorsRule(
  rules: readonly CorsRule[],
  origin: string,
  method: string,
  headers: readonly string[] = [],
): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((allowed) => wildcardMatch(allowed, origin, false)) &&
      (rule.allowedMethods as string[]).includes(method) &&
      headers.every((name) =>
        rule.allowedHeaders.some((allowed) => wildcardMatch(allowed, name, true)),
      ),
  );
}

/** `Access-Control-*` headers for a request `rule` allowed; `requestedHeaders` on preflights. */
export function corsHeaders(
  rule: CorsRule,
  origin: string,
  requestedHeaders?: readonly string[],
): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  return {
    'access-control-allow-origin': anyOrigin ? '*' : origin,
    ...(anyOrigin ? {} : { 'access-control-allow-credentials': 'true' }),
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    ...(requestedHeaders && requestedHeaders.length > 0
      ? { 'access-control-allow-headers': requestedHeaders.join(', ') }
      : {}),
    ...(rule.exposeHeaders.length > 0
      ? { 'access-control-expose-headers': rule.exposeHeaders.join(', ') }
      : {}),
    ...(rule.maxAgeSeconds !== undefined
      ? { 'access-control-max-age': String(rule.maxAgeSeconds) }
      : {}),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
}

/** The header names of an `Access-Control-Request-Headers` value, lower-cased. */
export function requestedHeaderNames(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}

/** `pattern` with at most one `*` standing for any run of characters. */
function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}
