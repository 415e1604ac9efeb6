import { pino, type Logger } from 'pino';
import { resolveRootCredentials, type RootCredentials, type VigilConfig } from './config/index.js';
import { createHttpServer } from './http/server.js';
import { createS3Api } from './s3/api.js';
import { MultipartUploads, StorageEngine } from './storage/index.js';

export interface RunningVigil {
  /** Base URL, e.g. `http://127.0.0.1:9000`. */
  url: string;
  port: number;
  credentials: RootCredentials;
  engine: StorageEngine;
  logger: Logger;
  /** Graceful stop: refuse new requests, finish in-flight ones, close storage. */
  stop(): Promise<void>;
}

/** Starts Vigil in this process: storage, the S3 API and the HTTP server. */
export async function startVigil(config: VigilConfig, logger?: Logger): Promise<RunningVigil> {
  const log = logger ?? pino({ level: config.logLevel });
  const credentials = await resolveRootCredentials(config.dataDir, config);
  const engine = await StorageEngine.open({ dataDir: config.dataDir, fsync: config.fsync });
  const multipart = new MultipartUploads(engine);
  const secrets = new Map([[credentials.accessKeyId, credentials.secretAccessKey]]);
  const s3 = createS3Api(
    { engine, multipart, region: config.region, accountId: config.accountId, logger: log },
    { lookupSecret: (id) => secrets.get(id), domains: config.domains },
  );
  const http = createHttpServer({ s3, logger: log });
  const address = await http.listen(config.port, config.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const urlHost = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    credentials,
    engine,
    logger: log,
    stop: async () => {
      await http.shutdown();
      engine.close();
    },
  };
}
