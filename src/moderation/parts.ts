/**
 * The moderation parts `vigil serve` and `vigil worker` both build from the config: the
 * configured moderator (the bundled models, Rekognition or an HTTP backend) and, when image
 * memory is on, its hasher.
 */
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/index.js';
import type { HealthReport } from '../http/server.js';
import type { ImageHasher } from '../memory/index.js';
import { ThreadedHasher } from '../memory/threaded-hasher.js';
import { configuredModerator, type ConfiguredModerator } from './configured.js';

export interface ModerationParts {
  moderator: ConfiguredModerator;
  /** Present when image memory is on (pipeline.memory.enabled). */
  hasher?: ImageHasher;
  close(): Promise<void>;
}

export function moderationParts(config: VigilConfig, log: Logger): ModerationParts {
  const moderator = configuredModerator(config, (line) =>
    log.debug({ component: 'moderation' }, line),
  );
  // Image memory's hasher (ADR 14), in a thread of its own started by the first image; with
  // the local backend it hashes the frame the models then classify (one decode for both).
  const hasher = config.pipeline.memory.enabled
    ? new ThreadedHasher(moderator.frameSource())
    : undefined;
  return {
    moderator,
    ...(hasher ? { hasher } : {}),
    close: async () => {
      await moderator.close();
      await hasher?.close();
    },
  };
}

/** Loads the moderation models in the background, saying how long it took. */
export function warmModeration(moderator: ConfiguredModerator, log: Logger): void {
  const started = performance.now();
  moderator.warm().then(
    () =>
      log.info(
        { component: 'moderation', ms: Math.round(performance.now() - started) },
        'moderation models loaded and warm',
      ),
    (error: unknown) =>
      log.error({ component: 'moderation', err: error }, 'moderation models failed to load'),
  );
}

/**
 * Ready once the moderator is (when warming at start): until then 503 `"moderation":
 * "warming"`, so a client that waits for health sees its first image judged at full speed.
 * A moderator that failed to load keeps health at 503 with its error: images would be
 * failed and sent to review, never judged.
 */
export function moderationHealth(moderator: ConfiguredModerator): HealthReport {
  const status = moderator.status();
  switch (status.state) {
    case 'warming':
      return { ready: false, body: { status: 'starting', moderation: 'warming' } };
    case 'failed':
      return {
        ready: false,
        body: { status: 'degraded', moderation: 'failed', error: status.error },
      };
    default:
      return { ready: true, body: { status: 'ok', moderation: status.state } };
  }
}
