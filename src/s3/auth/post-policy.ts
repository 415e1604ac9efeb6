/**
 * Browser-form uploads (POST Object) authenticated by a signed POST policy, AWS Signature
 * Version 4: the signature over the base64 policy, the policy document, and every condition
 * it sets on the form. Pure: the handler feeds it the form fields it has read.
 */
import { S3Error, invalidArgument } from '../errors.js';
import { parseAmzDate } from './amz-date.js';
import { type BodyCheckPlan, planBodyChecks } from './body-checks.js';
import { SIGV4_ALGORITHM } from './canonical-request.js';
import { unsupportedMechanism } from './claim.js';
import { parseCredential, scopeOf } from './credential-scope.js';
import { deriveSigningKey, signHex, signaturesMatch } from './signing-key.js';
import type { VerifiedRequest } from './types.js';

export { BodyVerifier } from './body-checks.js';

/** A form field: its name as the client sent it, and its value. */
export interface FormField {
  name: string;
  value: string;
}

/** Form fields by lowercase name (S3 matches names case-insensitively), in arrival order. */
export type PostForm = ReadonlyMap<string, FormField>;

export type PolicyCondition =
  | {
      kind: 'match';
      operator: 'eq' | 'starts-with';
      /** Lowercase field name, without the `$`. */
      field: string;
      /** The field as the policy wrote it (`$Content-Type`), for error messages. */
      written: string;
      value: string;
    }
  | { kind: 'length'; min: number; max: number };

export interface PostPolicy {
  expiration: Date;
  conditions: PolicyCondition[];
}

export interface LengthRange {
  min: number;
  max: number;
}

/** Fields a policy need not name (SigV4 POST policy, "Conditions"). */
const EXEMPT_FIELDS = new Set(['x-amz-signature', 'file', 'policy']);
/** Fields whose conditions support exact matching only (the bucket and the signing fields). */
const EXACT_ONLY_FIELDS = new Set([
  'bucket',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-security-token',
]);
const SIGNING_FIELDS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Signature'];
/** Fields whose values are taken as sent: `${filename}` is not a variable in them. */
const LITERAL_FIELDS = new Set(['policy', 'x-amz-signature']);
const EXPIRATION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Adds a field; S3 reads repeated fields as one value, comma-separated. */
export function addFormField(form: Map<string, FormField>, name: string, value: string): void {
  const lower = name.toLowerCase();
  const previous = form.get(lower);
  form.set(
    lower,
    previous ? { name: previous.name, value: `${previous.value},${value}` } : { name, value },
  );
}

/** The file name S3 uses for `${filename}`: whatever follows the last `/` or `\`. */
export function fileBaseName(filename: string): string {
  return filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
}

/**
 * Expands `${filename}` in every field, as S3 does before it checks the policy.
 *
 * @example
 * substituteFilename(form, 'C:\\photos\\cat.jpg'); // key `u/${filename}` becomes `u/cat.jpg`
 */
export function substituteFilename(form: PostForm, filename: string | undefined): PostForm {
  const base = fileBaseName(filename ?? '');
  const expanded = new Map<string, FormField>();
  for (const [lower, field] of form) {
    const value = LITERAL_FIELDS.has(lower)
      ? field.value
      : field.value.replaceAll('${filename}', base);
    expanded.set(lower, { name: field.name, value });
  }
  return expanded;
}

/** `InvalidArgument` naming a field S3 requires. */
export function missingField(name: string): S3Error {
  return invalidArgument(
    `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
    name,
    '',
  );
}

/**
 * Verifies the form's SigV4 signature: HMAC-SHA256 of the base64 policy string with the
 * signing key of `x-amz-credential`. Returns the request as verified, and the policy text.
 *
 * @throws S3Error `AccessDenied` (no policy), `InvalidArgument` (missing field),
 *   `InvalidAccessKeyId`, `SignatureDoesNotMatch`.
 */
export function verifyPostSignature(
  form: PostForm,
  lookupSecret: (accessKeyId: string) => string | undefined,
): { auth: VerifiedRequest; policy: string } {
  const value = (name: string) => form.get(name.toLowerCase())?.value;
  const policy = value('policy');
  const signing = SIGNING_FIELDS.filter((name) => value(name) !== undefined);
  if (policy === undefined) {
    if (signing.length > 0) throw missingField('Policy');
    throw new S3Error(
      'AccessDenied',
      'Anonymous access is not allowed: a POST upload needs a policy signed with AWS Signature Version 4.',
    );
  }
  if (signing.length === 0) {
    if (form.has('awsaccesskeyid') || form.has('signature')) throw unsupportedMechanism();
    throw new S3Error('AccessDenied');
  }
  const missing = SIGNING_FIELDS.find((name) => value(name) === undefined);
  if (missing !== undefined) throw missingField(missing);
  if (value('x-amz-algorithm') !== SIGV4_ALGORITHM) throw unsupportedMechanism();
  const amzDate = value('x-amz-date') ?? '';
  if (!parseAmzDate(amzDate)) {
    throw invalidArgument(
      "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
      'X-Amz-Date',
      amzDate,
    );
  }
  const credential = parseCredential(value('x-amz-credential') ?? '', 'query', amzDate, ['s3']);
  const secret = lookupSecret(credential.accessKeyId);
  if (secret === undefined) {
    throw new S3Error('InvalidAccessKeyId', undefined, {
      AWSAccessKeyId: credential.accessKeyId,
    });
  }
  const signingKey = deriveSigningKey(secret, credential.date, credential.region, 's3');
  const expected = signHex(signingKey, policy);
  const provided = value('x-amz-signature') ?? '';
  if (!signaturesMatch(expected, provided)) {
    throw new S3Error('SignatureDoesNotMatch', undefined, {
      AWSAccessKeyId: credential.accessKeyId,
      StringToSign: policy,
      SignatureProvided: provided,
    });
  }
  return {
    policy,
    auth: {
      accessKeyId: credential.accessKeyId,
      region: credential.region,
      service: 's3',
      presigned: false,
      payload: { kind: 'unsigned' },
      signing: { signingKey, seedSignature: expected, amzDate, scope: scopeOf(credential) },
    },
  };
}

/** S3's answer to a malformed policy document. */
function invalidPolicy(detail: string): S3Error {
  return new S3Error('InvalidPolicyDocument', `Invalid Policy: ${detail}`);
}

/** `Invalid according to Policy: …`, S3's `AccessDenied` for a policy the form breaks. */
function violation(detail: string): S3Error {
  return new S3Error('AccessDenied', `Invalid according to Policy: ${detail}`);
}

/**
 * Decodes and validates the policy document (base64 JSON with `expiration` and `conditions`).
 *
 * @throws S3Error (S3's `InvalidPolicyDocument`, sent as `InvalidArgument`) when malformed.
 */
export function parsePostPolicy(base64: string): PostPolicy {
  let document: unknown;
  try {
    document = JSON.parse(unescapePolicy(Buffer.from(base64, 'base64').toString('utf8')));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw invalidPolicy('Invalid JSON.');
  }
  const { expiration, conditions } = document as Record<string, unknown>;
  if (expiration === undefined) throw invalidPolicy('Policy missing expiration.');
  const expires = typeof expiration === 'string' ? parseExpiration(expiration) : undefined;
  if (expires === undefined) {
    const shown = typeof expiration === 'string' ? expiration : JSON.stringify(expiration);
    throw invalidPolicy(`Invalid 'expiration' value: '${shown}'`);
  }
  if (conditions === undefined) throw invalidPolicy('Policy missing conditions.');
  if (!Array.isArray(conditions))
    throw invalidPolicy("Invalid 'conditions' value: must be a list.");
  return { expiration: expires, conditions: conditions.map(parseCondition) };
}

/** ISO 8601 UTC; a day that does not exist (February 31st, which Date rolls over) is refused. */
function parseExpiration(value: string): Date | undefined {
  if (!EXPIRATION.test(value)) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().slice(0, 19) === value.slice(0, 19) ? date : undefined;
}

/**
 * The policy language accepts `\$` (a dollar sign) and `\v` (vertical tab), which JSON does
 * not: rewrite them inside strings, leaving every other escape to JSON.
 */
function unescapePolicy(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString && c === '\\') {
      const next = text[i + 1] ?? '';
      out += next === '$' ? '$' : next === 'v' ? '\\u000b' : `\\${next}`;
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    out += c;
  }
  return out;
}

function parseCondition(raw: unknown): PolicyCondition {
  if (Array.isArray(raw)) {
    const [operator, field, value] = raw as unknown[];
    const op = typeof operator === 'string' ? operator.toLowerCase() : undefined;
    if (raw.length === 3 && op === 'content-length-range') {
      const min = lengthBound(field);
      const max = lengthBound(value);
      if (min !== undefined && max !== undefined) return { kind: 'length', min, max };
    }
    if (
      raw.length === 3 &&
      (op === 'eq' || op === 'starts-with') &&
      typeof field === 'string' &&
      field.startsWith('$') &&
      typeof value === 'string'
    ) {
      return {
        kind: 'match',
        operator: op,
        field: field.slice(1).toLowerCase(),
        written: field,
        value,
      };
    }
    throw invalidPolicy(`Invalid Condition: ${JSON.stringify(raw)}`);
  }
  if (raw !== null && typeof raw === 'object') {
    const entries = Object.entries(raw);
    const [name, value] = entries[0] ?? [];
    if (entries.length !== 1 || name === undefined) {
      throw invalidPolicy(
        'Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
      );
    }
    if (typeof value !== 'string') throw invalidPolicy(`Invalid Condition: ${JSON.stringify(raw)}`);
    return { kind: 'match', operator: 'eq', field: name.toLowerCase(), written: `$${name}`, value };
  }
  throw invalidPolicy(`Invalid Condition: ${JSON.stringify(raw)}`);
}

function lengthBound(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\d+$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** The condition as S3 prints it: `["starts-with", "$key", "user/"]`. */
function describe(condition: Extract<PolicyCondition, { kind: 'match' }>): string {
  const parts = [condition.operator, condition.written, condition.value];
  return `[${parts.map((part) => JSON.stringify(part)).join(', ')}]`;
}

function holds(condition: Extract<PolicyCondition, { kind: 'match' }>, value: string | undefined) {
  if (value === undefined) return false;
  if (condition.operator === 'eq') return value === condition.value;
  if (EXACT_ONLY_FIELDS.has(condition.field)) return false;
  // A Content-Type list passes a starts-with condition only if every type in it does.
  if (condition.field === 'content-type') {
    return value.split(',').every((type) => type.trim().startsWith(condition.value));
  }
  return value.startsWith(condition.value);
}

/**
 * Checks a verified policy against the form (after `${filename}` expansion): expiration,
 * every `eq` / `starts-with` condition (the `bucket` condition against the addressed bucket),
 * and that every field but the exempt ones is named by a condition. Returns the allowed size
 * range, which can only be checked while the file streams.
 *
 * @throws S3Error `AccessDenied` with S3's "Invalid according to Policy: …" message.
 */
export function checkPostPolicy(
  policy: PostPolicy,
  form: PostForm,
  request: { bucket: string; now: Date; maxSize: number },
): LengthRange {
  if (request.now.getTime() > policy.expiration.getTime()) throw violation('Policy expired.');
  const named = new Set<string>();
  const range: LengthRange = { min: 0, max: request.maxSize };
  for (const condition of policy.conditions) {
    if (condition.kind === 'length') {
      range.min = Math.max(range.min, condition.min);
      range.max = Math.min(range.max, condition.max);
      continue;
    }
    named.add(condition.field);
    const value = condition.field === 'bucket' ? request.bucket : form.get(condition.field)?.value;
    if (!holds(condition, value))
      throw violation(`Policy Condition failed: ${describe(condition)}`);
  }
  const extra = [...form]
    .filter(([lower]) => !EXEMPT_FIELDS.has(lower) && !lower.startsWith('x-ignore-'))
    .filter(([lower]) => !named.has(lower))
    .map(([, field]) => field.name);
  if (extra.length > 0) throw violation(`Extra input fields: ${extra.join(', ')}`);
  return range;
}

/**
 * Checks a file size against the policy's range; before the file has ended only the
 * maximum can be known to fail.
 *
 * @throws S3Error `EntityTooLarge` / `EntityTooSmall`.
 */
export function checkFileSize(range: LengthRange, size: number, ended: boolean): void {
  if (size > range.max) {
    throw new S3Error('EntityTooLarge', undefined, { MaxSizeAllowed: String(range.max) });
  }
  if (ended && size < range.min) {
    throw new S3Error(
      'EntityTooSmall',
      'Your proposed upload is smaller than the minimum allowed size',
      { ProposedSize: String(size), MinSizeAllowed: String(range.min) },
    );
  }
}

/**
 * The integrity checks a form asks for: `Content-MD5` and `x-amz-checksum-<algorithm>`
 * fields are verified, `x-amz-checksum-algorithm` alone has the checksum computed and stored.
 *
 * @throws S3Error `InvalidDigest` / `InvalidRequest` for malformed values.
 */
export function planPostBodyChecks(form: PostForm): BodyCheckPlan {
  const headers: Record<string, string> = {};
  for (const [lower, field] of form) {
    if (lower === 'content-md5' || lower.startsWith('x-amz-checksum-'))
      headers[lower] = field.value;
  }
  const algorithm = headers['x-amz-checksum-algorithm'];
  if (algorithm !== undefined) {
    delete headers['x-amz-checksum-algorithm'];
    headers['x-amz-sdk-checksum-algorithm'] = algorithm;
  }
  return planBodyChecks({ kind: 'unsigned' }, headers);
}
