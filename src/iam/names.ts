/**
 * IAM's naming rules and generated identifiers: names and paths are checked as IAM checks
 * them (its `ValidationError` sentence), ids and keys are random in IAM's shapes (`AIDA…`,
 * `AKIA…`), so tools that recognise key kinds by prefix still do.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { IamError } from './errors.js';

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Checks a user, role or policy name; `max` is 64 for users and roles, 128 for policies. */
export function checkName(field: string, value: string | undefined, max = 64): string {
  if (value === undefined || value === '')
    throw new IamError(
      'ValidationError',
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  if (value.length > max)
    throw validation(field, value, `Member must have length less than or equal to ${max}`);
  if (!NAME.test(value))
    throw validation(field, value, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  return value;
}

/** Checks an IAM path (`/` or `/division/team/`); absent means `/`. */
export function checkPath(field: string, value: string | undefined): string {
  if (value === undefined) return '/';
  if (value.length > 512 || !PATH.test(value))
    throw validation(
      field,
      value,
      'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)',
    );
  return value;
}

function validation(field: string, value: string, constraint: string): IamError {
  return new IamError(
    'ValidationError',
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

/** A unique id in IAM's shape: a four-letter kind prefix and 17 base-32 characters. */
export function newEntityId(prefix: 'AIDA' | 'AROA' | 'ANPA'): string {
  return prefix + randomChars(17);
}

/** An access key id (`AKIA` long-term, `ASIA` temporary) and a 40-character secret. */
export function newKeyPair(prefix: 'AKIA' | 'ASIA'): {
  accessKeyId: string;
  secretAccessKey: string;
} {
  return {
    accessKeyId: prefix + randomChars(16),
    secretAccessKey: randomBytes(30).toString('base64').replace(/\+/g, 'x').replace(/\//g, 'y'),
  };
}

function randomChars(count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return out;
}

/** `arn:aws:iam::<account>:user/<path without its leading slash><name>`. */
export function entityArn(
  accountId: string,
  kind: 'user' | 'role' | 'policy',
  path: string,
  name: string,
) {
  return `arn:aws:iam::${accountId}:${kind}${path}${name}`;
}
