/**
 * The moderation area's public surface: the Moderator port, its backends and the taxonomy.
 * The console's browser build type-checks everything this file reaches (with DOM types), so
 * the config-driven factory (configured.ts) and the remote backends are imported directly.
 */
export {
  MODERATION_ERRORS,
  ModerationError,
  type ContentType,
  type ContentTypeName,
  type DetectOptions,
  type ModerationErrorCode,
  type ModerationLabel,
  type ModerationResult,
  type Moderator,
} from './types.js';
export { DEFAULT_MIN_CONFIDENCE, resolveMinConfidence } from './min-confidence.js';
export {
  CLASS_MAPPING,
  CONTENT_TYPE_MIN_CONFIDENCE,
  LOCAL_MODEL_COVERAGE,
  NSFW_CLASSES,
  classScores,
  localModelVersion,
  type ClassScores,
  type NsfwClass,
} from './taxonomy.js';
export { evidenceLabels, moderationResult, type FrameEvidence } from './result.js';
export {
  OBJECT_CATEGORIES,
  OBJECT_CATEGORY_NAMES,
  calibratedConfidence,
  objectMasses,
  type ObjectCategory,
  type ObjectMasses,
} from './objects.js';
export {
  LocalModerator,
  createLocalModerator,
  type LocalModeratorOptions,
} from './local/local-moderator.js';
export { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './local/decode.js';
export type { WorkerStats } from './local/protocol.js';
