/**
 * `vigil serve`'s work on a clock: restores and lifecycle rules that come due (state in
 * vigil.db), expiry of old queue messages, pruning of the object history.
 */
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/index.js';
import { pruneHistory } from '../history/index.js';
import type { QueueService } from '../queue/index.js';
import { startBackgroundChanges, type StorageEngine } from '../storage/index.js';

export function startBackground(
  config: VigilConfig,
  engine: StorageEngine,
  queues: QueueService,
  log: Logger,
): { stop(): Promise<void> } {
  // Restores that complete and expire, lifecycle rules that come due (state in vigil.db).
  const changes = startBackgroundChanges(engine, {
    ownerId: config.accountId,
    settings: config.scheduler,
    logger: log.child({ component: 'scheduler' }),
  });
  // Receives expire their own queue's old messages; this covers queues nobody reads.
  const expiry = setInterval(() => {
    queues
      .removeExpired()
      .catch((error: unknown) =>
        log.error({ err: error }, 'could not remove expired queue messages'),
      );
  }, 60_000);
  expiry.unref();
  // The object history behind the console's timelines: kept `history.retentionDays`.
  const retentionMs = config.history.retentionDays * 86_400_000;
  const pruning = setInterval(() => {
    pruneHistory(engine.db, Date.now() - retentionMs).catch((error: unknown) =>
      log.error({ err: error }, 'could not prune the object history'),
    );
  }, 3_600_000);
  pruning.unref();
  return {
    stop: async () => {
      clearInterval(expiry);
      clearInterval(pruning);
      await changes.stop();
    },
  };
}
