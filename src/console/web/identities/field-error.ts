import { ApiError } from '../api.js';

/**
 * The message of an API error about one input (the server names it in `field`), to show
 * beside that input; null for any other error, which goes to the error region.
 */
export function fieldError(error: unknown, field: string): string | null {
  return error instanceof ApiError && error.extra['field'] === field ? error.message : null;
}
