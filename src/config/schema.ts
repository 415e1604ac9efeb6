import { z } from 'zod';

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
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /** fsync blobs and the database before acknowledging writes (durable across power loss). */
    fsync: z.boolean().default(true),
    accessKeyId: z.string().min(3).max(128).optional(),
    secretAccessKey: z.string().min(8).max(256).optional(),
  })
  .strict();

export type VigilConfig = z.infer<typeof configSchema>;

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
