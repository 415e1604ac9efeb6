import type { Logger } from 'pino';
import type { ArchiveSettings } from './archive.js';
import type { StorageEngine } from './engine.js';
import { LifecycleWork } from './lifecycle-work.js';
import { RestoreWork } from './restore-work.js';
import { Scheduler, type ScheduledWork } from './scheduler.js';

export interface SchedulerSettings {
  restoreSeconds: {
    GLACIER: { Expedited: number; Standard: number; Bulk: number };
    DEEP_ARCHIVE: { Standard: number; Bulk: number };
  };
  daySeconds: number;
  maxSleepSeconds: number;
}

/** The engine's archive settings from the config's `scheduler` section. */
export function archiveSettings(settings: SchedulerSettings): ArchiveSettings {
  const ms = <T extends Record<string, number>>(record: T) =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v * 1000])) as T;
  return {
    restoreDelayMs: {
      GLACIER: ms(settings.restoreSeconds.GLACIER),
      DEEP_ARCHIVE: ms(settings.restoreSeconds.DEEP_ARCHIVE),
    },
    dayMs: settings.daySeconds * 1000,
  };
}

/**
 * Starts the changes the store makes on its own (restores completing and expiring, lifecycle
 * rules, and any `extra` work) and wakes them when a restore starts.
 *
 * @example
 * const scheduler = startBackgroundChanges(engine, { ownerId, settings, logger });
 * // on shutdown
 * await scheduler.stop();
 */
export function startBackgroundChanges(
  engine: StorageEngine,
  options: {
    ownerId: string;
    settings: SchedulerSettings;
    logger: Pick<Logger, 'error'>;
    extra?: ScheduledWork[];
  },
): Scheduler {
  const scheduler = new Scheduler({
    works: [
      new RestoreWork(engine, options.ownerId),
      new LifecycleWork(engine),
      ...(options.extra ?? []),
    ],
    logger: options.logger,
    maxSleepMs: options.settings.maxSleepSeconds * 1000,
  });
  engine.onChange((change) => {
    if (change.kind !== 'restore-initiated' || !change.object.restore?.ongoing) return;
    const { readyAt } = change.object.restore;
    // The hook runs inside the transaction; the timer is set once it has committed.
    setImmediate(() => scheduler.wakeAt(readyAt));
  });
  scheduler.start();
  return scheduler;
}
