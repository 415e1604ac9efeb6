/** An answer the console API gives instead of a result: `{ error: { code, message } }`. */
export class ConsoleError extends Error {
  override readonly name = 'ConsoleError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** More fields for the error object (e.g. `claimedBy` on a claim conflict). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
