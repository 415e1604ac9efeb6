/** What a request claims about its signature, before the signature itself is checked. */
import { S3Error } from '../errors.js';
import type { AuthLocation, Credential } from './credential-scope.js';
import type { PayloadMode } from './types.js';

export interface SignatureClaim {
  location: AuthLocation;
  credential: Credential;
  /** `YYYYMMDDTHHMMSSZ`, exactly as used in the string to sign. */
  amzDate: string;
  /** Lowercase header names in the order the client listed them. */
  signedHeaders: string[];
  signature: string;
  /** The last line of the canonical request. */
  payloadHash: string;
  payload: PayloadMode;
}

/** The checks every claim parser needs from the caller's options, defaults applied. */
export interface ClaimContext {
  now: Date;
  maxSkewMs: number;
  services: readonly string[];
}

/** S3's answer to Signature Version 2 and anything else that is not SigV4 with HMAC. */
export function unsupportedMechanism(): S3Error {
  return new S3Error(
    'InvalidRequest',
    'The authorization mechanism you have provided is not supported. ' +
      'Vigil supports AWS Signature Version 4 only: please use AWS4-HMAC-SHA256.',
  );
}

/** A header's single value; Node gives arrays only for a few headers such as set-cookie. */
export function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** Splits `a;b;c` into lowercase names; undefined when any name is empty. */
export function parseSignedHeaders(value: string): string[] | undefined {
  const names = value.split(';').map((name) => name.trim().toLowerCase());
  return names.some((name) => name === '') ? undefined : names;
}
