/**
 * Lambda's API on Vigil's port: functions deployed, changed, invoked and removed at run time
 * with `aws lambda …` or `@aws-sdk/client-lambda`. See docs/functions.md, "Lambda API".
 */
export { createLambdaRoute, type LambdaRouteOptions } from './api.js';
export { CodeStore, MAX_UNZIPPED_BYTES, MAX_ZIP_BYTES } from './code-package.js';
export {
  LambdaControlPlane,
  DEPLOYED_CONCURRENCY,
  type ControlPlaneOptions,
} from './control-plane.js';
export { LambdaError, type LambdaErrorCode } from './errors.js';
export { FunctionStore } from './function-store.js';
export type {
  RoleDirectory,
  StoredFunction,
  FunctionSettings,
  EventInvokeConfig,
} from './types.js';
