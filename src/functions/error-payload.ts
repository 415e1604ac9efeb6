import { types } from 'node:util';
import type { FunctionErrorPayload } from './types.js';

/**
 * An error as the Node.js Lambda runtime reports it: `{ errorType, errorMessage, trace }`
 * for errors, `{ errorType: typeof value, errorMessage: String(value), trace: [] }` for
 * anything else thrown.
 *
 * @example
 * errorPayload(new TypeError('x is not a function'));
 * // { errorType: 'TypeError', errorMessage: 'x is not a function', trace: ['TypeError: …', …] }
 */
export function errorPayload(error: unknown): FunctionErrorPayload {
  if (types.isNativeError(error) || isErrorLike(error)) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function isErrorLike(value: unknown): value is Error {
  const v = value as Partial<Error> | null;
  return typeof v?.name === 'string' && typeof v.message === 'string';
}
