import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { buildXml } from '../s3/xml.js';
import { newRequestIds } from './request-ids.js';

export type RequestHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  ids: { requestId: string; hostId: string },
) => Promise<void>;

export interface VigilHttpServer {
  server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting work (503 to new requests), waits for in-flight ones, then closes. */
  shutdown(timeoutMs?: number): Promise<void>;
}

/**
 * A handler for part of the URL space or of the protocols on the port (an AWS JSON API chosen
 * by `X-Amz-Target`, `/_vigil/metrics`, …). Routes are tried in order; the first match wins.
 */
export interface Route {
  name: string;
  matches(req: IncomingMessage): boolean;
  handle: RequestHandler;
}

/** Health: 200 when ready, 503 while starting or broken; the body says which part. */
export interface HealthReport {
  ready: boolean;
  body: Record<string, unknown>;
}

/**
 * The one HTTP server: `/_vigil/health`, then the routes in order (AWS JSON APIs chosen by
 * `X-Amz-Target`, Vigil's own endpoints under `/_vigil/`), everything else to the S3 API.
 * Every response carries `x-amz-request-id` and `x-amz-id-2`.
 */
export function createHttpServer(handlers: {
  s3: RequestHandler;
  routes?: readonly Route[];
  logger: Logger;
  /** What `/_vigil/health` answers; default 200 `{"status":"ok"}`. */
  health?: () => HealthReport;
}): VigilHttpServer {
  const routes = handlers.routes ?? [];
  let draining = false;
  let inFlight = 0;
  const server = createServer({
    requestTimeout: 0,
    headersTimeout: 60_000,
    keepAliveTimeout: 60_000,
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const ids = newRequestIds();
    res.setHeader('x-amz-request-id', ids.requestId);
    res.setHeader('x-amz-id-2', ids.hostId);
    res.setHeader('server', 'Vigil');
    if (draining) {
      refuseWhileDraining(res, ids);
      return;
    }
    if (req.url === '/_vigil/health' || req.url?.startsWith('/_vigil/health?')) {
      const report = handlers.health?.() ?? { ready: true, body: { status: 'ok' } };
      const body = JSON.stringify(report.body);
      res.writeHead(report.ready ? 200 : 503, {
        'cache-control': 'no-store',
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    inFlight++;
    res.once('close', () => inFlight--);
    const handler = routes.find((route) => route.matches(req))?.handle ?? handlers.s3;
    handler(req, res, ids).catch((error: unknown) => {
      handlers.logger.error({ err: error }, 'unhandled error in request handler');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };

  server.on('request', onRequest);
  // Node answers 100 Continue itself unless told otherwise; the S3 API sends it once the
  // request is authenticated. Other Expect values are accepted and ignored, as S3 does
  // (Node would answer 417).
  server.on('checkContinue', onRequest);
  server.on('checkExpectation', onRequest);
  server.on('clientError', (error, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    handlers.logger.debug({ err: error }, 'client error');
  });

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    shutdown: async (timeoutMs = 30_000) => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
      server.closeIdleConnections();
      await closed;
      clearInterval(sweep);
      clearTimeout(deadline);
      handlers.logger.info({ inFlight }, 'http server closed');
    },
  };
}

function refuseWhileDraining(
  res: ServerResponse,
  ids: { requestId: string; hostId: string },
): void {
  const body = buildXml(
    'Error',
    {
      Code: 'ServiceUnavailable',
      Message: 'Vigil is shutting down. Retry against another instance.',
      RequestId: ids.requestId,
      HostId: ids.hostId,
    },
    null,
  );
  res.writeHead(503, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
    'retry-after': '1',
  });
  res.end(body);
}
