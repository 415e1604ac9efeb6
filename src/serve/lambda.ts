/**
 * `vigil serve`'s Lambda API: the control plane over vigil.db and `<data>/lambda/code`, the
 * functions it deployed loaded into the runtime beside the config file's, and its route.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/index.js';
import type { Route } from '../http/server.js';
import { evaluate, requestConditionKeys } from '../iam/index.js';
import type { AccessGate } from '../iam/types.js';
import {
  CodeStore,
  createLambdaRoute,
  FunctionStore,
  LambdaControlPlane,
  type RoleDirectory,
} from '../lambda/index.js';
import type { ServeEvents } from './events.js';
import type { ServePipeline } from './pipeline.js';
import type { ServeStorage } from './storage.js';

/** Replacements for the access gate and the role directory (tests, embedders). */
export interface LambdaAccess {
  gate?: AccessGate;
  roles?: RoleDirectory;
}

export interface ServeLambda {
  plane: LambdaControlPlane;
  route: Route;
}

/**
 * S3 accepts a LambdaFunctionConfiguration for a deployed function only when the function's
 * policy lets `s3.amazonaws.com` invoke it for that bucket (`aws lambda add-permission
 * --principal s3.amazonaws.com --source-arn arn:aws:s3:::<bucket>`), as S3 checks.
 */
function requireInvokePermission(
  plane: LambdaControlPlane,
  directory: ServeEvents['directory'],
  scope: { accountId: string; region: string },
): void {
  directory.setInvokePermission((name, bucket) => {
    if (plane.codeId(name) === undefined) return true;
    const resourcePolicy = plane.resourcePolicy(name);
    if (!resourcePolicy) return false;
    return (
      evaluate({
        principal: {
          kind: 'service',
          arn: 's3.amazonaws.com',
          accountId: scope.accountId,
          name: 's3.amazonaws.com',
          userId: 's3.amazonaws.com',
        },
        action: 'lambda:InvokeFunction',
        resource: `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${name}`,
        identityPolicies: [],
        resourcePolicy,
        context: {
          'aws:SourceArn': `arn:aws:s3:::${bucket}`,
          'aws:SourceAccount': scope.accountId,
        },
      }).decision === 'Allow'
    );
  });
}

export async function wireLambda(
  config: VigilConfig,
  storage: ServeStorage,
  events: ServeEvents,
  { runtime }: ServePipeline,
  links: { publicUrl: () => string },
  log: Logger,
  access: LambdaAccess = {},
): Promise<ServeLambda> {
  const { engine, identity, scope } = storage;
  const code = new CodeStore(join(config.dataDir, 'lambda', 'code'));
  const logger = log.child({ component: 'lambda' });
  const plane = new LambdaControlPlane({
    store: new FunctionStore(engine.db, (work) => engine.grouped(work)),
    code,
    runtime,
    roles: access.roles ?? {
      exists: (arn) => identity.identities.roleByArn(arn) !== undefined,
    },
    queues: events.queues,
    scope,
    logger,
  });
  await plane.load();
  requireInvokePermission(plane, events.directory, scope);
  const route = createLambdaRoute({
    plane,
    runtime,
    code,
    gate: access.gate ?? identity.gate,
    scope,
    publicUrl: links.publicUrl,
    conditionKeys: (req) => requestConditionKeys(req, storage.proxies),
    logger,
  });
  return { plane, route };
}
