/**
 * AWS Signature Version 4 for Vigil: verify a request's signature (`verifySigV4`), then read
 * its body through `createPayloadDecoder`, which decodes aws-chunked uploads and refuses any
 * body whose hash, chunk signatures, checksum or Content-MD5 does not verify.
 */
export type {
  AuthOptions,
  AuthRequest,
  PayloadIntegrity,
  PayloadMode,
  SigningContext,
  VerifiedRequest,
} from './types.js';
export { isSigned, verifySigV4 } from './verify.js';
export { createPayloadDecoder, stripAwsChunkedEncoding, type PayloadDecoder } from './payload.js';
