/**
 * IAM's and STS's Query APIs on Vigil's port (form-encoded `Action=…&Version=…`, XML
 * answers), chosen by the service a request is signed for, so `aws iam …` and `aws sts …`
 * with `--endpoint-url` reach them. Every IAM action is authorized like any other.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  authenticateBuffered,
  readLimitedBody,
  signedService,
  type AwsAuthFailure,
} from '../http/aws-json-auth.js';
import type { Route } from '../http/server.js';
import { buildXml } from '../s3/xml.js';
import { iamOperations } from './api-operations.js';
import { IamError } from './errors.js';
import type { Identity } from './index.js';
import { requestConditionKeys, type TrustedProxies } from './request-context.js';
import { stsOperations } from './sts-operations.js';

const NAMESPACES = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
} as const;
const MAX_BODY_BYTES = 256 * 1024;

export interface IamRouteOptions {
  identity: Identity;
  accountId: string;
  proxies?: TrustedProxies;
  logger: Logger;
}

/**
 * @example
 * routes.push(createIamRoute({ identity, accountId, logger }));
 * // aws --endpoint-url http://127.0.0.1:9000 iam create-user --user-name uploader
 */
export function createIamRoute(options: IamRouteOptions): Route {
  const { identity, accountId } = options;
  const iam = iamOperations({
    accountId,
    identities: identity.identities,
    policies: identity.policies,
  });
  const sts = stsOperations({ accountId, ...identity });
  return {
    name: 'iam',
    matches: (req) => {
      const service = signedService(req);
      return req.method === 'POST' && (service === 'iam' || service === 'sts');
    },
    handle: async (req, res, ids) => {
      const service = signedService(req) as 'iam' | 'sts';
      let action = '';
      try {
        const body = await readLimitedBody(
          req,
          res,
          MAX_BODY_BYTES,
          () => new IamError('ValidationError', 'The request body is too large.'),
        );
        const signed = authenticateBuffered(
          req,
          body,
          identity.gate,
          service,
          service.toUpperCase(),
        );
        if ('failure' in signed) throw authFailure(signed.failure);
        const caller = signed.credential;
        const params = new URLSearchParams(body.toString('utf8'));
        action = params.get('Action') ?? '';
        let result: Record<string, unknown> | undefined;
        if (service === 'sts') {
          const run = sts[action];
          if (!run) throw unknownAction(action, '2011-06-15');
          result = run(params, caller);
        } else {
          const operation = iam[action];
          if (!operation) throw unknownAction(action, '2010-05-08');
          const { action: needed, resource } = operation.permission(params, caller);
          const evaluation = identity.gate.authorize(caller.principal, needed, resource, {
            context: requestConditionKeys(req, options.proxies),
          });
          if (evaluation.decision !== 'Allow')
            throw new IamError('AccessDenied', evaluation.message);
          result = operation.run(params, caller);
        }
        send(
          res,
          200,
          buildXml(
            `${action}Response`,
            {
              ...(result ? { [`${action}Result`]: result } : {}),
              ResponseMetadata: { RequestId: ids.requestId },
            },
            NAMESPACES[service],
          ),
        );
      } catch (error) {
        if (!(error instanceof IamError)) {
          options.logger.error({ err: error, action }, 'internal error in the IAM API');
          send(
            res,
            500,
            errorXml(service, 'Receiver', 'ServiceFailure', 'Internal error.', ids.requestId),
          );
          return;
        }
        send(
          res,
          error.status,
          errorXml(service, error.type, error.code, error.message, ids.requestId),
        );
      }
    },
  };
}

function authFailure(failure: AwsAuthFailure): IamError {
  switch (failure.type) {
    case 'MissingAuthenticationTokenException':
      return new IamError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    case 'UnrecognizedClientException':
      return new IamError('InvalidClientTokenId', failure.message);
    case 'InvalidSignatureException':
      return new IamError('SignatureDoesNotMatch', failure.message);
    default:
      return new IamError('IncompleteSignature', failure.message);
  }
}

function unknownAction(action: string, version: string): IamError {
  return new IamError(
    'InvalidAction',
    `Could not find operation ${action || '(none)'} for version ${version}`,
  );
}

function errorXml(
  service: 'iam' | 'sts',
  type: string,
  code: string,
  message: string,
  requestId: string,
): string {
  return buildXml(
    'ErrorResponse',
    { Error: { Type: type, Code: code, Message: message }, RequestId: requestId },
    NAMESPACES[service],
  );
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
