/**
 * `vigil serve`'s storage: the engine on the data directory, multipart uploads, the root
 * credentials, and the identities and access gate every signed API asks.
 */
import type { Logger } from 'pino';
import { resolveRootCredentials, type RootCredentials, type VigilConfig } from '../config/index.js';
import { openIdentity, trustedProxies, type Identity, type TrustedProxies } from '../iam/index.js';
import { archiveSettings, MultipartUploads, StorageEngine } from '../storage/index.js';

export interface ServeStorage {
  engine: StorageEngine;
  multipart: MultipartUploads;
  credentials: RootCredentials;
  /** Users, roles, policies and the access gate every API asks. */
  identity: Identity;
  /** The proxies whose X-Forwarded-For / -Proto are believed (`trustedProxies`). */
  proxies: TrustedProxies;
  /** Where the ARNs of this Vigil point. */
  scope: { region: string; accountId: string };
}

/** Opens the engine first: it refuses to start, saying how much space it needs, on a full disk. */
export async function openStorage(config: VigilConfig, log: Logger): Promise<ServeStorage> {
  const engine = await StorageEngine.open({
    dataDir: config.dataDir,
    fsync: config.fsync,
    log: log.child({ component: 'storage' }),
    archive: archiveSettings(config.scheduler),
  });
  const credentials = await resolveRootCredentials(config.dataDir, config).catch(
    (error: unknown) => {
      engine.close();
      throw error;
    },
  );
  let identity: Identity;
  try {
    identity = openIdentity(engine, {
      accountId: config.accountId,
      root: credentials,
      declared: config.iam,
    });
  } catch (error) {
    engine.close();
    throw error;
  }
  return {
    engine,
    multipart: new MultipartUploads(engine),
    credentials,
    identity,
    proxies: trustedProxies(config.trustedProxies),
    scope: { region: config.region, accountId: config.accountId },
  };
}
