/**
 * `vigil serve`'s storage: the engine on the data directory, multipart uploads, the root
 * credentials and the secrets every signed API checks.
 */
import type { Logger } from 'pino';
import { resolveRootCredentials, type RootCredentials, type VigilConfig } from '../config/index.js';
import { archiveSettings, MultipartUploads, StorageEngine } from '../storage/index.js';

export interface ServeStorage {
  engine: StorageEngine;
  multipart: MultipartUploads;
  credentials: RootCredentials;
  /** The secret of an access key id, for SigV4. */
  lookupSecret: (accessKeyId: string) => string | undefined;
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
  const secrets = new Map([[credentials.accessKeyId, credentials.secretAccessKey]]);
  return {
    engine,
    multipart: new MultipartUploads(engine),
    credentials,
    lookupSecret: (id) => secrets.get(id),
    scope: { region: config.region, accountId: config.accountId },
  };
}
