/** An answer the console API gives instead of a result: `{ error: { code, message } }`. */
export class ConsoleError extends Error {
  override readonly name = 'ConsoleError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
