/**
 * The moderate-image pipeline's public surface: the core over its ports, the policy and
 * settings. The Lambda entry point (with the AWS SDK adapters) is `./lambda.ts`; see
 * docs/pipeline.md.
 */
export { moderateEvent, moderateRecord, outcomeLogLine, type Outcome } from './moderate-image.js';
export {
  ObjectChangedError,
  type Clock,
  type ModerationPort,
  type ObjectHead,
  type ObjectRef,
  type ObjectStore,
  type PipelinePorts,
  type ReviewQueue,
  type Tag,
} from './ports.js';
export { UNJUDGEABLE_CODES } from './judge.js';
export {
  DEFAULT_POLICY,
  evaluatePolicy,
  requestMinConfidence,
  type LabelAction,
  type LabelMatch,
  type ModerationPolicy,
  type PolicyRule,
  type PolicyVerdict,
} from './policy.js';
export {
  DEFAULT_SETTINGS,
  PipelineConfigError,
  REPORTS_DB_ENV,
  SETTINGS_ENV,
  pipelineSettingsSchema,
  resolvePipelineSettings,
  settingsFromEnvironment,
  settingsToEnvironment,
  type PipelineSettings,
} from './settings.js';
export { BLOCKED_TAG, MAX_OBJECT_TAGS, SCAN_STATUS_TAG, decisionTags, mergeTags } from './tags.js';
export { reviewMessage, type ReviewMessage } from './review-message.js';
export {
  REVIEW_SEND_LEASE_MS,
  ReviewSendInProgressError,
  resendOwedReviews,
  sendOwedReview,
} from './review-delivery.js';
export { decodeS3Key, type S3EventRecordInput } from './event.js';
