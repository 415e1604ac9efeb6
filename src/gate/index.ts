/** The app-facing gate: anonymous reads of objects that moderation has not withheld. */
export { createGateRoute } from './route.js';
export { sendsUploadsTo } from './moderated.js';
export {
  BLOCK_TAG,
  GATE_PREFIX,
  SCAN_STATUS_TAG,
  gateDecision,
  parsePublicPath,
  type GateDecision,
} from './decision.js';
export type { GateBucket, GateMode, GateOptions } from './types.js';
