/**
 * Server-side encryption headers, answered as S3 answers them over plain HTTP rather than
 * silently ignored: SSE-C needs TLS (S3 refuses it over HTTP, and Vigil serves HTTP), and
 * Vigil has no key management service for SSE-KMS. `AES256` (SSE-S3) is what every new
 * object gets anyway (src/storage/sse.ts), asked for or not, as on S3 since 2023.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error, invalidArgument } from './errors.js';

const SSE = 'x-amz-server-side-encryption';

/**
 * @throws S3Error `InvalidRequest` for SSE-C headers (on the object or the copy source),
 *   `InvalidArgument` for SSE-KMS or an encryption method S3 does not know.
 */
export function checkEncryptionHeaders(headers: IncomingHttpHeaders): void {
  const customer = Object.keys(headers).find(
    (name) =>
      name.startsWith(`${SSE}-customer-`) ||
      name.startsWith('x-amz-copy-source-server-side-encryption-customer-'),
  );
  if (customer !== undefined)
    throw new S3Error(
      'InvalidRequest',
      'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.',
    );
  const raw = headers[SSE];
  const method = Array.isArray(raw) ? raw.join(',') : raw;
  if (method === undefined || method === 'AES256') return;
  if (method === 'aws:kms' || method === 'aws:kms:dsse')
    throw invalidArgument(
      `Server-side encryption with KMS keys (${method}) is not supported: Vigil has no key management service. Use AES256, or no header.`,
      SSE,
      method,
    );
  throw invalidArgument('The encryption method specified is not supported', SSE, method);
}
