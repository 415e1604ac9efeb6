/**
 * Lambda's API on Vigil's port, so `aws lambda …` and `@aws-sdk/client-lambda` pointed at
 * Vigil deploy and run functions: requests signed for service `lambda` (their credential
 * scope, not their path: a bucket may be named `2015-03-31`), routed by Lambda's REST paths
 * (routes.ts), authenticated and authorized through the access gate (auth.ts), answered by
 * operations.ts over the control plane. Also serves GetFunction's code download links.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { functionArn, type FunctionRuntime } from '../functions/index.js';
import { readLimitedBody, signedService } from '../http/aws-json-auth.js';
import type { Route } from '../http/server.js';
import type { AccessGate, ConditionValues, PolicyDocument } from '../iam/types.js';
import { authenticate, authorize } from './auth.js';
import type { CodeStore } from './code-package.js';
import type { LambdaControlPlane } from './control-plane.js';
import { LambdaError } from './errors.js';
import type { Scope } from './names.js';
import { nameOf, parseJson, perform } from './operations.js';
import { actionOf, maxBodyBytes, OPERATION_NAMES, routeRequest } from './routes.js';
import { sendError } from './wire.js';

export interface LambdaRouteOptions {
  plane: LambdaControlPlane;
  runtime: FunctionRuntime;
  code: CodeStore;
  gate: AccessGate;
  scope: Scope;
  /** Vigil's base URL, for code download links. */
  publicUrl(): string;
  /** Request condition keys (`aws:SourceIp`, …); default from the connection's peer. */
  conditionKeys?: (req: IncomingMessage) => ConditionValues;
  logger: Logger;
}

const CODE_PATH = /^\/_vigil\/lambda\/code\/([0-9a-f]{64})\.zip$/;
/** GetFunction's code links work for 10 minutes, as Lambda's presigned URLs do. */
const CODE_URL_SECONDS = 600;

/**
 * The route answering Lambda's API.
 *
 * @example
 * const routes = [createLambdaRoute({ plane, runtime, code, gate, scope, publicUrl, logger })];
 * // aws --endpoint-url http://localhost:9000 lambda list-functions
 */
export function createLambdaRoute(options: LambdaRouteOptions): Route {
  const linkKey = randomBytes(32);
  const sign = (id: string, expires: number) =>
    createHmac('sha256', linkKey).update(`${id}\n${expires}`).digest('base64url');
  const context = {
    plane: options.plane,
    runtime: options.runtime,
    scope: options.scope,
    codeUrl: (id: string) => {
      const expires = Math.floor(Date.now() / 1000) + CODE_URL_SECONDS;
      return `${options.publicUrl()}/_vigil/lambda/code/${id}.zip?Expires=${expires}&Signature=${sign(id, expires)}`;
    },
  };
  return {
    name: 'lambda',
    matches: (req) =>
      signedService(req) === 'lambda' || (req.method === 'GET' && CODE_PATH.test(pathOf(req))),
    handle: async (req, res, ids) => {
      if (signedService(req) !== 'lambda') {
        await download(req, res, options.code, sign);
        return;
      }
      const route = routeRequest(req.method ?? 'GET', req.url ?? '/');
      const operation = route?.operation ?? 'Unknown';
      try {
        if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
        const max = route ? maxBodyBytes(route.operation) : 1024 * 1024;
        const body = await readLimitedBody(
          req,
          res,
          max,
          () =>
            new LambdaError(
              'RequestEntityTooLargeException',
              `Request must be smaller than ${max} bytes for the ${operation} operation`,
            ),
        );
        const principal = authenticate(req, body, options.gate);
        if (!route)
          throw new LambdaError(
            'UnknownOperationException',
            `Vigil's Lambda API answers ${OPERATION_NAMES.join(', ')}; not ${req.method} ${pathOf(req)}.`,
          );
        const name = nameOf(route, body, options.scope);
        const resource = name === undefined ? '*' : functionArn(options.scope, name);
        const policy = name === undefined ? undefined : options.plane.resourcePolicy(name);
        const allow = (action: string, on: string, resourcePolicy?: PolicyDocument) =>
          authorize(
            options.gate,
            req,
            principal,
            action,
            on,
            resourcePolicy,
            options.conditionKeys,
          );
        allow(actionOf(route.operation), resource, policy);
        if (
          route.operation === 'CreateFunction' ||
          route.operation === 'UpdateFunctionConfiguration'
        ) {
          // Lambda asks IAM whether the caller may hand the role to the function.
          const role = parseJson(body)['Role'];
          if (typeof role === 'string') allow('iam:PassRole', role);
        }
        await perform(
          { route, name: name ?? '', body, req, res, requestId: ids.requestId },
          context,
        );
      } catch (error) {
        const wrapped =
          error instanceof URIError
            ? new LambdaError(
                'ValidationException',
                'The request path is not valid percent-encoding.',
              )
            : error;
        sendError(res, ids.requestId, wrapped, options.logger, operation);
      }
    },
  };
}

/** GetFunction's download link: the stored zip, while its signature and expiry hold. */
async function download(
  req: IncomingMessage,
  res: ServerResponse,
  code: CodeStore,
  sign: (id: string, expires: number) => string,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const id = CODE_PATH.exec(pathOf(req))![1]!;
  const expires = Number(url.searchParams.get('Expires'));
  const given = Buffer.from(url.searchParams.get('Signature') ?? '');
  const wanted = Buffer.from(sign(id, expires));
  const valid =
    Number.isInteger(expires) &&
    expires * 1000 >= Date.now() &&
    given.length === wanted.length &&
    timingSafeEqual(given, wanted);
  const size = valid
    ? await stat(code.zipOf(id)).then(
        (s) => s.size,
        () => undefined,
      )
    : undefined;
  if (size === undefined) {
    res.writeHead(403, { 'content-type': 'text/plain' }).end('The link is invalid or expired.\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/zip', 'content-length': size });
  createReadStream(code.zipOf(id)).pipe(res);
}

/** The request's path, without its query (never throws, unlike `new URL`). */
function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  return mark < 0 ? url : url.slice(0, mark);
}
