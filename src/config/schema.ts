import { isIP } from 'node:net';
import { z } from 'zod';
import { parsePolicy } from '../iam/policy/index.js';
import { PolicyError } from '../iam/types.js';
import { natsConfigSchema, sqsConfigSchema } from '../destinations/config-schema.js';
import { eventBridgeConfigSchema } from '../eventbridge/config-schema.js';
import { customModelsSchema } from '../moderation/custom/schema.js';
import { pipelineSettingsSchema } from '../pipeline/settings.js';
import { workerSchema } from '../worker/config.js';

/** Names of queues, topics and webhooks: SQS's queue-name rules. */
const destinationName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,80}$/, 'expected 1-80 letters, digits, hyphens or underscores');

const queueSchema = z
  .object({
    name: destinationName,
    visibilityTimeoutSeconds: z.number().int().min(0).max(43_200).optional(),
    messageRetentionSeconds: z.number().int().min(60).max(1_209_600).optional(),
    /** Messages received more than maxReceiveCount times move to this queue. */
    deadLetter: z
      .object({ queue: destinationName, maxReceiveCount: z.number().int().min(1).max(1000) })
      .strict()
      .optional(),
  })
  .strict();

const webhookSchema = z
  .object({
    name: destinationName,
    url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
    /** Key of the X-Vigil-Signature HMAC the receiver verifies. */
    secret: z.string().min(16, 'expected at least 16 characters'),
    timeoutMs: z.number().int().min(100).max(120_000).default(5000),
  })
  .strict();

const topicSchema = z
  .object({
    name: destinationName,
    subscriptions: z
      .array(
        z
          .object({
            /** ARN of a Vigil queue (arn:aws:sqs:…), webhook (arn:vigil:webhook:…) or function. */
            endpoint: z.string().startsWith('arn:', 'expected an ARN'),
            raw: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

const functionSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, hyphens or underscores'),
    /** The handler module, resolved against the config file's directory. */
    module: z.string().min(1),
    handler: z.string().min(1).default('handler'),
    timeoutSeconds: z.number().int().min(1).max(900).default(3),
    memoryMb: z.number().int().min(128).max(10_240).default(128),
    reservedConcurrency: z.number().int().min(1).max(1000).default(1),
    environment: z.record(z.string(), z.string()).default({}),
    maximumRetryAttempts: z.number().int().min(0).max(2).default(2),
    maximumEventAgeSeconds: z.number().int().min(60).max(21_600).default(21_600),
    /** Queue that receives events whose invocations failed for good. */
    onFailure: destinationName.optional(),
    retryDelaysSeconds: z.array(z.number().min(0).max(21_600)).min(1).optional(),
    recursiveLoop: z.enum(['Terminate', 'Allow']).default('Terminate'),
    /**
     * The execution role whose temporary credentials the handler's SDK clients get: the name
     * of a role in `iam.roles`, or a role's ARN. Without one, the function runs with full
     * access, as before roles existed, and Vigil warns at start.
     */
    role: z.string().min(1).optional(),
  })
  .strict();

const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const IAM_NAME_ERROR = 'expected 1-64 letters, digits or +=,.@_-';
const IAM_PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;
/** A policy document, written as JSON in the file; its grammar is checked like IAM's. */
const policyDocument = z.record(z.string(), z.unknown());
const inlinePolicies = z
  .record(z.string().regex(/^[\w+=,.@-]{1,128}$/, 'expected a policy name'), policyDocument)
  .default({});
const managedPolicies = z
  .array(z.string().regex(/^arn:aws:iam::(aws|\d{12}):policy\//, 'expected a policy ARN'))
  .max(10)
  .default([]);

/** An IAM user declared in the file (docs/security.md): the file alone may change it. */
const iamUserSchema = z
  .object({
    name: z.string().regex(IAM_NAME, IAM_NAME_ERROR),
    path: z.string().regex(IAM_PATH, 'expected / or /path/').default('/'),
    /** Keys the user signs with, provisioned with the app that uses them. At most 2. */
    accessKeys: z
      .array(
        z
          .object({
            accessKeyId: z
              .string()
              .regex(/^[A-Z0-9]{16,128}$/, 'expected 16-128 upper-case letters and digits'),
            secretAccessKey: z.string().min(16).max(128).optional(),
            /** A file holding the secret (mounted secrets), resolved against the config file. */
            secretAccessKeyFile: z.string().min(1).optional(),
          })
          .strict()
          .refine(
            (key) =>
              (key.secretAccessKey === undefined) !== (key.secretAccessKeyFile === undefined),
            {
              error: 'expected exactly one of secretAccessKey and secretAccessKeyFile',
            },
          ),
      )
      .max(2)
      .default([]),
    /** Inline policies by name. */
    policies: inlinePolicies,
    /** ARNs of managed policies to attach (AWS managed ones, or ones made through IAM). */
    managedPolicies,
  })
  .strict();

/** A role declared in the file, for functions (`functions[].role`) and AssumeRole. */
const iamRoleSchema = z
  .object({
    name: z.string().regex(IAM_NAME, IAM_NAME_ERROR),
    path: z.string().regex(IAM_PATH, 'expected / or /path/').default('/'),
    description: z.string().max(1000).optional(),
    /** Who may assume it; default: Lambda (`lambda.amazonaws.com`), as for an execution role. */
    trustPolicy: policyDocument.optional(),
    policies: inlinePolicies,
    managedPolicies,
  })
  .strict();

const iamSchema = z
  .object({
    users: z.array(iamUserSchema).default([]),
    roles: z.array(iamRoleSchema).default([]),
  })
  .strict();

const moderationSchema = z
  .object({
    /** Which Moderator answers DetectModerationLabels (docs/moderation.md). */
    backend: z.enum(['local', 'rekognition', 'http']).default('local'),
    /** Local model workers; default: the number of cores. */
    workers: z.number().int().min(1).max(64).optional(),
    /** Frames classified per animated image; the worst decides. */
    maxFrames: z.number().int().min(1).max(100).default(8),
    /**
     * Load and warm the models at start (health answers 503 "warming" until they are), so
     * the first image is judged as fast as the rest; false loads them on the first image.
     */
    warm: z.boolean().default(true),
    /** Your own ONNX image classifiers, run by the local backend beside the bundled models. */
    models: customModelsSchema,
    rekognition: z
      .object({
        region: z.string().optional(),
        endpoint: z.url().optional(),
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        maxAttempts: z.number().int().min(1).max(10).default(3),
      })
      .strict()
      .optional(),
    http: z
      .object({
        url: z.url({ protocol: /^https?$/ }),
        headers: z.record(z.string(), z.string()).default({}),
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        labelMap: z.record(z.string(), z.string().nullable()).default({}),
        modelVersion: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((m) => m.backend !== 'http' || m.http !== undefined, {
    message: 'backend "http" needs moderation.http.url',
    path: ['http'],
  })
  .refine((m) => m.backend === 'local' || m.models.length === 0, {
    message: 'models run in the local backend only; set moderation.backend to "local"',
    path: ['models'],
  });

const gateBucketSchema = z
  .object({
    /** Unset: closed while the bucket sends its uploads to moderate-image, else open. */
    mode: z.enum(['open', 'closed']).optional(),
    blockedStatus: z.union([z.literal(451), z.literal(404)]).default(451),
    cacheControl: z.string().min(1).optional(),
  })
  .strict();

const deliverySchema = z
  .object({
    concurrency: z.number().int().min(1).max(1024).default(32),
    leaseSeconds: z.number().int().min(1).max(86_400).default(60),
    maxAttempts: z.number().int().min(1).max(100_000).default(100),
    maxAgeSeconds: z.number().int().min(1).default(86_400),
    backoffBaseMs: z.number().int().min(1).default(200),
    backoffMaxMs: z.number().int().min(1).default(300_000),
    pollIntervalMs: z.number().int().min(10).max(60_000).default(250),
  })
  .strict();

const seconds = z.number().min(0).max(172_800);
const glacierRestoreSchema = z
  .object({
    Expedited: seconds.default(1),
    Standard: seconds.default(60),
    Bulk: seconds.default(300),
  })
  .strict();
const deepArchiveRestoreSchema = z
  .object({ Standard: seconds.default(120), Bulk: seconds.default(600) })
  .strict();
const restoreSecondsSchema = z
  .object({
    GLACIER: glacierRestoreSchema.default(glacierRestoreSchema.parse({})),
    DEEP_ARCHIVE: deepArchiveRestoreSchema.default(deepArchiveRestoreSchema.parse({})),
  })
  .strict();

/** Changes the store makes on its own: restores of archived objects, lifecycle rules. */
const schedulerSchema = z
  .object({
    /** Seconds a RestoreObject takes, by archive storage class and tier (docs/storage-classes.md). */
    restoreSeconds: restoreSecondsSchema.default(restoreSecondsSchema.parse({})),
    /**
     * Seconds in a "day" of restore expiry and lifecycle rules: 86400. Shorten it to watch
     * days pass in tests and demos; never in production.
     */
    daySeconds: z.number().min(0.01).max(86_400).default(86_400),
    /** Longest pause between checks for restores and lifecycle rules that came due. */
    maxSleepSeconds: z.number().min(0.01).max(3600).default(60),
  })
  .strict();

const consoleUserSchema = z
  .object({
    /** Login name; `root` is taken (root logs in with its access key id). */
    name: z
      .string()
      .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'expected 1-64 letters, digits, dots, @, _ or -')
      .refine((n) => n !== 'root', 'root is reserved'),
    role: z.enum(['viewer', 'moderator', 'admin']),
    /**
     * `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`, from `vigil console-user hash`. Without
     * it, Vigil generates a password at first start, stores it in
     * `<dataDir>/console-users.json` (mode 0600) and prints it once.
     */
    passwordHash: z
      .string()
      .regex(
        /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/,
        'expected a hash from `vigil console-user hash`',
      )
      .optional(),
  })
  .strict();

const consoleSchema = z
  .object({
    users: z.array(consoleUserSchema).default([]),
    /** A session lasts this long after login. */
    sessionHours: z
      .number()
      .min(0.05)
      .max(24 * 30)
      .default(12),
    /** A reviewer's hold on an open item (renewed while it stays open). */
    claimLeaseSeconds: z.number().int().min(10).max(3600).default(300),
    /** Failed logins allowed per user name in 15 minutes (five times as many per address). */
    loginAttempts: z.number().int().min(1).max(1000).default(10),
    /**
     * Where review decisions tag (or delete) objects and thumbnails are read: `vigil`, this
     * Vigil's own store; `worker`, the S3 store of the `worker` section (worker.s3.endpoint,
     * worker.region, credentials from the environment), for a fleet of workers on another
     * store (docs/scale-out.md).
     */
    objects: z.enum(['vigil', 'worker']).default('vigil'),
    /** Show (and redrive) the dead letters of the `worker` section's event source. */
    workerDeadLetters: z.boolean().default(false),
  })
  .strict()
  .refine((c) => new Set(c.users.map((u) => u.name)).size === c.users.length, {
    message: 'user names must be unique',
    path: ['users'],
  });

const reportingSchema = z
  .object({
    /** `postgres://…` for PostgreSQL; unset: SQLite in `<dataDir>/reports.db`. */
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
      .optional(),
    /**
     * The PostgreSQL schema the tables live in (created when missing); default: the URL's
     * `search_path`, usually `public`. Lets several Vigils share one database.
     */
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier')
      .optional(),
    /**
     * Price of one vCPU-hour in USD, for the dashboard's cost-per-image estimate. Default:
     * an on-demand c7g.large (2 vCPU, $0.0725/h in us-east-1) per vCPU.
     */
    vcpuHourUsd: z.number().min(0).default(0.03625),
  })
  .strict();

/** The environment variable that sets `metrics.bearerToken` (it wins over the config file). */
export const METRICS_TOKEN_ENV = 'VIGIL_METRICS_TOKEN';

/**
 * Who may read `/_vigil/metrics` (`vigil serve` and `vigil worker`): with a token, only
 * requests carrying `Authorization: Bearer <token>` (docs/reliability.md, "Metrics").
 */
const metricsSchema = z
  .object({
    /** The token itself; `VIGIL_METRICS_TOKEN` sets it from the environment instead. */
    bearerToken: z
      .string()
      .min(16, 'expected at least 16 characters')
      .regex(/^[\x21-\x7e]+$/, 'expected printable ASCII without spaces')
      .optional(),
    /** A file holding the token (a mounted secret), read at start; whitespace around it is ignored. */
    bearerTokenFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((m) => m.bearerToken === undefined || m.bearerTokenFile === undefined, {
    message: 'set bearerToken or bearerTokenFile, not both',
    path: ['bearerTokenFile'],
  });

/** Vigil's configuration: every field has a default, unknown keys are errors. */
export const configSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65535).default(9000),
    host: z.string().min(1).default('0.0.0.0'),
    dataDir: z.string().min(1).default('./data'),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS-style region name such as us-east-1')
      .default('us-east-1'),
    /** The 12-digit account id in the ARNs Vigil prints (bucket owner, queues, topics). */
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'expected 12 digits')
      .default('000000000000'),
    /** Domains for virtual-host-style addressing: `bucket.<domain>`. */
    domains: z.array(z.string().min(1)).default(['localhost']),
    /**
     * Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed, as
     * addresses or CIDR ranges, for the `aws:SourceIp` and `aws:SecureTransport` of policies
     * (docs/security.md). Empty: only the connection itself counts.
     */
    trustedProxies: z
      .array(
        z.string().refine((entry) => isAddressOrCidr(entry), {
          error: 'expected an IP address or a CIDR range such as 10.0.0.0/8',
        }),
      )
      .default([]),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /** fsync blobs and the database before acknowledging writes (durable across power loss). */
    fsync: z.boolean().default(true),
    /** Queues, topics and webhooks to create at start-up (config file only). */
    queues: z.array(queueSchema).default([]),
    topics: z.array(topicSchema).default([]),
    webhooks: z.array(webhookSchema).default([]),
    /** NATS JetStream subjects events can go to: `arn:vigil:nats:<region>:<account>:<name>`. */
    nats: natsConfigSchema.default(natsConfigSchema.parse({})),
    /** SQS queues of other AWS accounts events can go to, by ARN (docs/notifications.md). */
    sqs: sqsConfigSchema.default(sqsConfigSchema.parse({})),
    /** Lambda-style functions (see docs/functions.md). */
    functions: z.array(functionSchema).default([]),
    /** IAM users and roles declared in the file (docs/security.md). */
    iam: iamSchema.default(iamSchema.parse({})),
    /** Rules of the default event bus, declared at start-up (docs/notifications.md). */
    eventBridge: eventBridgeConfigSchema.default(eventBridgeConfigSchema.parse({})),
    delivery: deliverySchema.default(deliverySchema.parse({})),
    moderation: moderationSchema.default(moderationSchema.parse({})),
    /** The moderate-image function: confidence, per-label policy, review queue, tags. */
    pipeline: pipelineSettingsSchema.default(pipelineSettingsSchema.parse({})),
    /** Buckets served anonymously at /_vigil/public/<bucket>/<key> unless blocked. */
    gate: z
      .object({ buckets: z.record(z.string(), gateBucketSchema).default({}) })
      .strict()
      .default({ buckets: {} }),
    /**
     * The seed scenario: bucket `uploads`, whose `content/images/*.jpg` uploads trigger
     * moderate-image, served through the gate. Created at start when the bucket is missing.
     */
    seed: z.boolean().default(true),
    /** The moderator console at /_vigil/console/ (docs/console.md). */
    console: consoleSchema.default(consoleSchema.parse({})),
    /** The object history behind the console's timelines (src/history). */
    history: z
      .object({
        /** Object changes and delivery attempts older than this are pruned, hourly. */
        retentionDays: z.number().min(0.01).max(3650).default(30),
      })
      .strict()
      .default({ retentionDays: 30 }),
    scheduler: schedulerSchema.default(schedulerSchema.parse({})),
    /** `vigil worker`: its event source, S3 and SQS endpoints (docs/scale-out.md). */
    worker: workerSchema.default(workerSchema.parse({})),
    /** Where tracking records, review decisions and the audit log live. */
    reporting: reportingSchema.default(reportingSchema.parse({})),
    /** Authentication of `/_vigil/metrics`; none by default. */
    metrics: metricsSchema.default({}),
    accessKeyId: z.string().min(3).max(128).optional(),
    secretAccessKey: z.string().min(8).max(256).optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Vigil's own account's queue ARNs name its built-in queues.
    config.sqs.queues.forEach((queue, i) => {
      if (queue.arn.split(':')[4] === config.accountId)
        ctx.addIssue({
          code: 'custom',
          path: ['sqs', 'queues', i, 'arn'],
          message: `account ${config.accountId} is Vigil's own (accountId): its queues are Vigil's built-in queues; declare them in queues instead`,
        });
    });
    checkIamConfig(config, ctx);
    const declared = new Set(config.functions.map((f) => f.name));
    config.worker.functions.forEach((name, i) => {
      if (!declared.has(name))
        ctx.addIssue({
          code: 'custom',
          path: ['worker', 'functions', i],
          message: `no function named ${name} in functions`,
        });
    });
  });

export type VigilConfig = z.infer<typeof configSchema>;

/** IAM's own checks on the declared users and roles: names unique, documents valid, roles named. */
function checkIamConfig(
  config: { iam: z.infer<typeof iamSchema>; functions: { role?: string | undefined }[] },
  ctx: z.RefinementCtx,
): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  const document = (path: (string | number)[], value: unknown, kind: 'identity' | 'trust') => {
    try {
      parsePolicy(JSON.stringify(value), kind);
    } catch (error) {
      if (error instanceof PolicyError) issue(path, `not a valid policy: ${error.message}`);
      else throw error;
    }
  };
  for (const [kind, entries] of [
    ['users', config.iam.users],
    ['roles', config.iam.roles],
  ] as const) {
    const seen = new Set<string>();
    entries.forEach((entry, i) => {
      if (seen.has(entry.name.toLowerCase()))
        issue(['iam', kind, i, 'name'], `${entry.name} is declared twice (IAM names ignore case)`);
      seen.add(entry.name.toLowerCase());
      for (const [name, value] of Object.entries(entry.policies))
        document(['iam', kind, i, 'policies', name], value, 'identity');
    });
  }
  config.iam.roles.forEach((role, i) => {
    if (role.trustPolicy) document(['iam', 'roles', i, 'trustPolicy'], role.trustPolicy, 'trust');
  });
  const roles = new Set(config.iam.roles.map((role) => role.name.toLowerCase()));
  config.functions.forEach((fn, i) => {
    if (fn.role && !fn.role.startsWith('arn:') && !roles.has(fn.role.toLowerCase()))
      issue(['functions', i, 'role'], `no role named ${fn.role} in iam.roles`);
  });
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', bits, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/** Where each field can come from in the environment. */
export const ENV_NAMES: Partial<Record<keyof VigilConfig, string>> = {
  port: 'VIGIL_PORT',
  host: 'VIGIL_HOST',
  dataDir: 'VIGIL_DATA_DIR',
  region: 'VIGIL_REGION',
  accountId: 'VIGIL_ACCOUNT_ID',
  domains: 'VIGIL_DOMAINS',
  logLevel: 'VIGIL_LOG_LEVEL',
  fsync: 'VIGIL_FSYNC',
  accessKeyId: 'VIGIL_ACCESS_KEY_ID',
  secretAccessKey: 'VIGIL_SECRET_ACCESS_KEY',
};
