/**
 * The AWS SDK for JavaScript v2 (`aws-sdk`) never reads `AWS_ENDPOINT_URL`: a handler written
 * for it would call real AWS from a Vigil function. Before the handler's module loads, the
 * worker loads the `aws-sdk` its module would load and sets that instance's global config, so
 * every client the handler builds — `require('aws-sdk')`, `import AWS from 'aws-sdk'` or
 * `require('aws-sdk/clients/s3')` — goes where an AWS SDK v3 client would.
 */
import { createRequire } from 'node:module';

type Env = Record<string, string | undefined>;

/** `AWS.config.update` input: global keys plus service-specific sections (`s3: { … }`). */
export type SdkV2Settings = Record<string, unknown>;

const PREFIX = 'AWS_ENDPOINT_URL_';

/**
 * The v2 global config that sends clients where v3 sends them, from the environment, or
 * undefined when nothing applies. It follows v3's rules: `AWS_ENDPOINT_URL` for every
 * service, `AWS_ENDPOINT_URL_<SERVICE>` for one (the v2 identifier is the suffix lowercased
 * without `_`: `AWS_ENDPOINT_URL_S3` → `s3`, `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` →
 * `cloudwatchlogs`), an empty value counts as unset, and
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns it all off.
 *
 * @example
 * sdkV2Settings({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' });
 * // { endpoint: 'http://127.0.0.1:9000', s3ForcePathStyle: true }
 */
export function sdkV2Settings(env: Env): SdkV2Settings | undefined {
  if (env['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS']?.toLowerCase() === 'true') return undefined;
  const settings: SdkV2Settings = {};
  const endpoint = env['AWS_ENDPOINT_URL'];
  if (endpoint) settings['endpoint'] = endpoint;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || !value) continue;
    const service = name.slice(PREFIX.length).toLowerCase().replaceAll('_', '');
    if (service) settings[service] = { endpoint: value };
  }
  if (Object.keys(settings).length === 0) return undefined;
  // `bucket.127.0.0.1` does not resolve: S3 clients address buckets in the path.
  if (settings['endpoint'] || settings['s3']) settings['s3ForcePathStyle'] = true;
  return settings;
}

interface SdkV2 {
  config: { update(options: SdkV2Settings, allowUnknownKeys: boolean): void };
}

/**
 * Configures the `aws-sdk` (v2) that `moduleUrl` would load, if one resolves from its
 * directory and the environment points somewhere. Returns whether it did. Only the SDK's
 * core is loaded (`lib/node_loader`, the module its entry points share), not its 400 client
 * definitions.
 *
 * Set before the handler runs, these are defaults: a client constructed with its own
 * `endpoint` keeps it, and a handler's own `AWS.config.update(…)` wins.
 */
export function configureSdkV2(moduleUrl: string, env: Env = process.env): boolean {
  const settings = sdkV2Settings(env);
  if (!settings) return false;
  const require = createRequire(moduleUrl);
  let loaderPath: string;
  try {
    loaderPath = require.resolve('aws-sdk/lib/node_loader');
  } catch {
    return false; // no v2 here: the handler uses v3, or no SDK at all
  }
  let sdk: Partial<SdkV2>;
  try {
    sdk = require(loaderPath) as Partial<SdkV2>;
  } catch {
    return false; // a broken install: the handler's own import reports it
  }
  if (typeof sdk.config?.update !== 'function') return false;
  sdk.config.update(settings, true);
  return true;
}
