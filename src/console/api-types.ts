/**
 * The console's JSON API, shared by the server (src/console) and the browser app
 * (src/console/web): every request and answer shape, in one place. All paths are under
 * `/_vigil/console/api/`. Every endpoint but `POST login` needs the session cookie; every
 * state change (POST, PUT, DELETE) also needs the header `X-CSRF-Token: <session.csrfToken>`.
 *
 * Errors are `{ error: { code, message } }` with status 400 (bad input), 401
 * (`Unauthenticated`: no or expired session), 403 (`Forbidden`: role; `CsrfTokenInvalid`),
 * 404 (`NotFound`), 409 (`Conflict`: claimed by someone else — with `claimedBy` and
 * `claimExpiresAt` in the error object — or already decided), 429 (`TooManyAttempts`, with
 * `Retry-After`).
 */

import type { TimelineStep } from '../history/types.js';

export type Role = 'viewer' | 'moderator' | 'admin';

/**
 * Who may do what: `viewer` reads reports (dashboard, export); `moderator` also reviews and
 * reads object timelines; `admin` also sees and acts on operations (delivery, functions) and
 * manages identities (IAM users, access keys, policies; roles read-only).
 */
export const ROLE_RIGHTS = {
  viewer: ['reports'],
  moderator: ['reports', 'review', 'timeline'],
  admin: ['reports', 'review', 'timeline', 'operations', 'identities'],
} as const satisfies Record<Role, readonly string[]>;
export type Right = (typeof ROLE_RIGHTS)[Role][number];

// ---- session ------------------------------------------------------------------------------

/** `POST login` body. Root logs in with its access key id and secret access key. */
export interface LoginRequest {
  username: string;
  password: string;
}

/** `POST login` and `GET session` answer. */
export interface Session {
  username: string;
  role: Role;
  rights: Right[];
  /** Send as `X-CSRF-Token` on every state change. */
  csrfToken: string;
  /** Epoch ms. */
  expiresAt: number;
}
// `POST logout` → 204.

// ---- review (right: review) ---------------------------------------------------------------

export interface Label {
  Name: string;
  ParentName: string;
  TaxonomyLevel: number;
  Confidence: number;
}

/** One item waiting for review, as `GET review` lists it (oldest first). */
export interface ReviewQueueItem {
  id: number;
  bucket: string;
  key: string;
  etag: string;
  size: number | null;
  contentType: string | null;
  /** The pipeline's decision: `blocked`, `review` (flagged, not blocked) or `failed`. */
  decision: 'blocked' | 'review' | 'failed';
  /** The policy's reason, readable: which labels and rules decided, or the error. */
  reason: string;
  /** Labels with confidences; each label's ancestors are separate entries. */
  labels: Label[];
  modelVersion: string | null;
  /** The S3 event's eventTime (ISO 8601): when the object was uploaded. */
  uploadedAt: string;
  /** Epoch ms the item was created (the judgement's end). */
  createdAt: number;
  /** Who holds the item now, and until when (epoch ms); null when free. */
  claimedBy: string | null;
  claimExpiresAt: number | null;
  /** `thumbnail` URL (relative to the API root); blurred unless `?reveal=1` is added. */
  thumbnail: string;
}

/** `GET review?limit=50` */
export interface ReviewQueueResponse {
  items: ReviewQueueItem[];
  /** Items pending in all (the list may be cut at `limit`). */
  pending: number;
}

/**
 * `POST review/<id>/claim` (body empty) → `ReviewClaimResponse`, 409 when another reviewer
 * holds it or it is decided. Claiming again extends the caller's own lease.
 * `POST review/<id>/release` → 204.
 * `GET review/<id>/thumbnail[?reveal=1]` → image/jpeg (blurred for blocked and review items
 * unless `reveal=1`; the reveal is written to the audit log).
 */
export interface ReviewClaimResponse {
  item: ReviewQueueItem;
  /** Epoch ms. */
  claimExpiresAt: number;
}

export type ReviewAction = 'approve' | 'keep-blocked' | 'delete';

/**
 * `POST review/<id>/decision` body. Refused (409) while another reviewer holds the item or
 * once it is decided; an item nobody holds may be decided directly. When the object was
 * replaced or deleted since it was flagged, the decision is recorded and the object left
 * alone (`tagsBefore` and `tagsAfter` are null).
 */
export interface ReviewDecisionRequest {
  action: ReviewAction;
  note?: string;
}

export interface ReviewDecisionResponse {
  id: number;
  status: 'approved' | 'rejected' | 'deleted';
  decidedBy: string;
  decidedAt: number;
  tagsBefore: { Key: string; Value: string }[] | null;
  tagsAfter: { Key: string; Value: string }[] | null;
}

// ---- object timeline (right: timeline) -----------------------------------------------------

/** `GET objects?bucket=<b>&prefix=<p>&limit=50` → objects whose key starts with prefix. */
export interface ObjectSearchResponse {
  buckets: string[];
  objects: {
    bucket: string;
    key: string;
    size: number;
    etag: string;
    lastModified: string;
    blocked: boolean;
  }[];
}

/** One step of an object's story (kind, time, ms since the previous step, summary, details). */
export type { TimelineStep, TimelineStepKind } from '../history/types.js';

/** `GET timeline?bucket=<b>&key=<k>` → the steps, oldest first, of every version of the key. */
export interface TimelineResponse {
  bucket: string;
  key: string;
  steps: TimelineStep[];
}

// ---- operations (right: operations) -------------------------------------------------------

/** `GET operations/delivery` */
export interface DeliveryOverview {
  destinations: {
    destination: string;
    pending: number;
    dead: number;
    /** Epoch ms of the oldest pending event, or null. */
    oldestPendingAt: number | null;
    /** Deliveries in the last hour and failures (retries + dead letters) in the last hour. */
    deliveredLastHour: number;
    failedLastHour: number;
  }[];
  deadLetters: {
    id: number;
    destination: string;
    eventName: string;
    bucket: string;
    key: string;
    attempts: number;
    lastError: string | null;
    /** Epoch ms. */
    createdAt: number;
  }[];
}

/** `POST operations/redrive` body: some dead letters by id, or all of one destination. */
export interface RedriveRequest {
  ids?: number[];
  destination?: string;
}
export interface RedriveResponse {
  redriven: number;
}

/**
 * `GET operations/worker-dead-letters`: the dead letters of the `vigil worker` event source
 * (console.workerDeadLetters), oldest first. `source` is null when the console is not set to
 * show them; `error` says why the source could not be read.
 */
export interface WorkerDeadLettersOverview {
  source: string | null;
  letters: {
    id: string;
    /** The event and object the message was about, or the start of an unreadable body. */
    summary: string;
    reason: string;
    attempts: number | null;
    /** Epoch ms, when the broker says. */
    deadAt: number | null;
  }[];
  error?: string;
}

/** `POST operations/worker-redrive` body: some dead letters by id, or all of them. */
export interface WorkerRedriveRequest {
  ids?: string[];
  all?: boolean;
}

/** `GET operations/functions` */
export interface FunctionsOverview {
  functions: {
    name: string;
    invocations: number;
    succeeded: number;
    failed: number;
    pending: number;
    /** Of the attempts kept in the log, ms. */
    durationP50: number | null;
    durationP95: number | null;
    durationP99: number | null;
    recursionStops: number;
    /** Newest first, each attempt's log as Lambda's log stream shows it. */
    recent: {
      requestId: string;
      state: string;
      acceptedAt: number;
      attempts: number;
      log: string;
    }[];
  }[];
}

// ---- identities (right: identities) ------------------------------------------------------
// The same stores as IAM's Query API (`aws iam …`). Errors keep IAM's codes and messages
// (`NoSuchEntity` 404, `EntityAlreadyExists`/`DeleteConflict`/`LimitExceeded` 409,
// `MalformedPolicyDocument`/`ValidationError`/`UnmodifiableEntity` 400); an error about one
// input names it in `field` (`userName`, `policyName`, `document`, `policyArn`).
// Every change is written to the audit log (`iam.*` actions).

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface IamAccessKeyView {
  accessKeyId: string;
  status: AccessKeyStatus;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms of the last signed request (recorded at most once a minute), or null. */
  lastUsedAt: number | null;
  lastUsedService: string | null;
}

export interface IamUserView {
  name: string;
  arn: string;
  path: string;
  userId: string;
  /** Epoch ms. */
  createdAt: number;
  /** Declared in the config file (`iam.users`): changed there, not here. */
  declared: boolean;
  accessKeys: IamAccessKeyView[];
  /** Names of its inline policies. */
  inlinePolicies: string[];
  /** ARNs of the managed policies attached to it. */
  attachedPolicies: string[];
}

/** `GET identities/users` */
export interface IamUsersResponse {
  users: IamUserView[];
}

export interface IamRoleView {
  name: string;
  arn: string;
  path: string;
  /** Epoch ms. */
  createdAt: number;
  description: string | null;
  maxSessionDuration: number;
  /** The trust policy (AssumeRolePolicyDocument), as written. */
  trustPolicy: string;
  declared: boolean;
  inlinePolicies: string[];
  attachedPolicies: string[];
}

/** `GET identities/roles` (read-only in the console). */
export interface IamRolesResponse {
  roles: IamRoleView[];
}

/** `GET identities/managed-policies`: AWS managed ones Vigil knows, then the account's own. */
export interface ManagedPoliciesResponse {
  policies: {
    arn: string;
    name: string;
    description: string | null;
    awsManaged: boolean;
    attachmentCount: number;
  }[];
}

/** `POST identities/users` → `IamUserView` (201). */
export interface CreateIamUserRequest {
  userName: string;
  /** IAM path, default `/`. */
  path?: string;
}

/**
 * `POST identities/users/<name>/delete`. Without `withKeysAndPolicies`, a user that still
 * has access keys or policies is refused with 409 `DeleteConflict`, as IAM refuses it; with
 * it, its keys are deleted, its inline policies deleted and its managed policies detached
 * first (each step audited), then the user.
 */
export interface DeleteIamUserRequest {
  withKeysAndPolicies?: boolean;
}
export interface DeleteIamUserResponse {
  deletedAccessKeys: string[];
  deletedPolicies: string[];
  detachedPolicies: string[];
}

/**
 * `POST identities/users/<name>/access-keys` (body `{}`) → 201. The only answer that ever
 * carries the secret: show it once.
 */
export interface CreatedAccessKey extends IamAccessKeyView {
  userName: string;
  secretAccessKey: string;
}

/**
 * `POST identities/users/<name>/access-keys/<id>/status` → `IamAccessKeyView`; an inactive
 * key's requests are refused at once. `POST identities/users/<name>/access-keys/<id>/delete`
 * → 204.
 */
export interface AccessKeyStatusRequest {
  status: AccessKeyStatus;
}

/**
 * `GET identities/<users|roles>/<name>/policies/<policy>` → `InlinePolicyResponse`;
 * `POST identities/users/<name>/policies/<policy>` with `PutInlinePolicyRequest` creates or
 * replaces it (IAM's PutUserPolicy); `POST identities/users/<name>/policies/<policy>/delete`
 * → 204.
 */
export interface PutInlinePolicyRequest {
  /** The policy document as JSON text, kept as written. */
  document: string;
}
export interface InlinePolicyResponse {
  owner: { kind: 'user' | 'role'; name: string };
  policyName: string;
  document: string;
}

/**
 * `POST identities/users/<name>/attached-policies` attaches, and
 * `POST identities/users/<name>/attached-policies/detach` detaches, a managed policy → 204.
 */
export interface AttachPolicyRequest {
  policyArn: string;
}

// ---- reports (right: reports) -------------------------------------------------------------

/**
 * `GET reports?from=<ISO>&to=<ISO>&granularity=hour|day`: one period per hour or day (empty
 * ones included) with counts by decision and upload-to-verdict latency percentiles; totals
 * with the share of each top-level label (0–1 of `processed`); the review backlog and median
 * time to decision; the cost per image against Rekognition's price.
 */
export type { Report as ReportResponse } from '../reporting/report.js';

/**
 * `GET export/records?from=<ISO>&to=<ISO>&format=csv|json` and
 * `GET export/audit?from=…&to=…&format=csv|json` → a download (Content-Disposition).
 */
export type ExportFormat = 'csv' | 'json';

/**
 * One entry of the append-only audit log. Actions: `review.approve`, `review.keep-blocked`,
 * `review.delete`, `review.reveal`, `dlq.redrive`, `login`, `login.failed`, and the identity
 * changes `iam.user.create`, `iam.user.delete`, `iam.key.create`, `iam.key.deactivate`,
 * `iam.key.activate`, `iam.key.delete`, `iam.policy.put`, `iam.policy.delete`,
 * `iam.policy.attach`, `iam.policy.detach` (what changed is JSON in `note`).
 */
export type { AuditEntry } from '../reporting/types.js';
