import type { DeliveryOutcome, DestinationAdapter, OutboxEntry } from '../delivery/types.js';

/**
 * The contract between event delivery and the function runtime: S3 invokes Lambda
 * asynchronously, so delivery ends once the runtime has accepted the event. An invocation
 * that throws is retried by delivery like any failed destination; the runtime of the
 * functions issue takes over retries and on-failure destinations behind this same port.
 */
export interface FunctionInvoker {
  /** Whether a function of this name exists. */
  has(name: string): boolean;
  /**
   * Runs (or durably accepts) one asynchronous invocation with the S3 event. `traceHeader`
   * carries the causal chain of the write that caused the event (recursion guard).
   */
  invoke(name: string, event: unknown, options?: { traceHeader?: string }): Promise<void>;
}

/** A Lambda-style handler: `(event, context) => Promise<unknown>`. */
export type InProcessHandler = (
  event: unknown,
  context: { functionName: string },
) => Promise<unknown>;

/**
 * Functions registered in this process. Enough to target `arn:aws:lambda:…:function:<name>`
 * from a notification configuration and to test the destination contract.
 */
export class InProcessFunctions implements FunctionInvoker {
  private readonly handlers = new Map<string, InProcessHandler>();

  register(name: string, handler: InProcessHandler): void {
    this.handlers.set(name, handler);
  }

  unregister(name: string): void {
    this.handlers.delete(name);
  }

  has(name: string): boolean {
    return this.handlers.has(name);
  }

  async invoke(name: string, event: unknown): Promise<void> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`function ${name} does not exist`);
    await handler(event, { functionName: name });
  }
}

export function functionAdapter(invoker: FunctionInvoker, name: string): DestinationAdapter {
  return {
    kind: 'async',
    async deliver(entry: OutboxEntry): Promise<DeliveryOutcome> {
      if (!invoker.has(name))
        return { ok: false, permanent: true, error: `function ${name} does not exist` };
      try {
        await invoker.invoke(
          name,
          JSON.parse(entry.body) as unknown,
          entry.traceHeader === null ? {} : { traceHeader: entry.traceHeader },
        );
        return { ok: true };
      } catch (error) {
        // An event the runtime can never accept (over Lambda's 1 MB async limit) is not retried.
        const permanent = (error as { code?: string }).code === 'RequestEntityTooLargeException';
        return { ok: false, permanent, error: `function ${name} failed: ${String(error)}` };
      }
    },
  };
}
