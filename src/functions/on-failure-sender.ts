import type { Logger } from 'pino';
import type { InvocationStore } from './invocation-store.js';
import { onFailureRecord } from './on-failure-record.js';
import type { InvocationRecord, OnFailureSink } from './types.js';

export interface OnFailureSenderOptions {
  sink: OnFailureSink;
  store: InvocationStore;
  grouped: <T>(work: () => T, options?: { durable?: boolean }) => Promise<T>;
  now: () => number;
  logger: Logger;
  functionArn: (name: string) => string;
  /** Called after each send settles, so the runtime looks for more work. */
  onSettled: () => void;
}

/**
 * Sends the on-failure records of given-up events to their queues, at least once: a record
 * is marked sent only after the sink took it; a refused send is tried again with capped
 * backoff (1 s doubling to 5 min), its error kept on the invocation.
 */
export class OnFailureSender {
  private readonly sending = new Map<number, Promise<void>>();

  constructor(private readonly options: OnFailureSenderOptions) {}

  isSending(id: number): boolean {
    return this.sending.has(id);
  }

  send(invocation: InvocationRecord): void {
    const { store, grouped, logger } = this.options;
    const queue = invocation.onFailure!;
    const body = JSON.stringify(
      onFailureRecord(invocation, this.options.functionArn(invocation.functionName)),
    );
    const log = { function: invocation.functionName, requestId: invocation.requestId, queue };
    const sent = (async () => {
      try {
        await this.options.sink.send(queue, body);
        await grouped(() => store.onFailureSent(invocation.id), { durable: false });
        logger.info(log, 'on-failure invocation record sent');
      } catch (error) {
        const delay = Math.min(300_000, 1000 * 2 ** Math.min(invocation.onFailureAttempts, 9));
        const at = this.options.now() + delay;
        await grouped(() => store.onFailureRetryAt(invocation.id, at, String(error)), {
          durable: false,
        }).catch((err: unknown) => logger.error({ err }, 'could not record a failed send'));
        logger.warn({ ...log, err: error }, 'could not send an on-failure record; will retry');
      }
    })().finally(() => {
      this.sending.delete(invocation.id);
      this.options.onSettled();
    });
    this.sending.set(invocation.id, sent);
  }

  /** Resolves once every send under way has settled. */
  async settled(): Promise<void> {
    await Promise.all(this.sending.values());
  }
}
