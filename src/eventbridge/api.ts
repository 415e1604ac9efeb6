/**
 * EventBridge's JSON API on Vigil's port, for the rules of the default bus, so
 * `@aws-sdk/client-eventbridge`, boto3 and `aws events` pointed at Vigil work unchanged:
 * PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule, PutTargets,
 * RemoveTargets, ListTargetsByRule and TestEventPattern (api-operations.ts). The protocol is
 * in api-wire.ts; the rules live in the RuleStore, which is also the bus the outbox asks.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Route } from '../http/server.js';
import { OPERATIONS } from './api-operations.js';
import {
  authenticate,
  parseJsonObject,
  readBody,
  sendError,
  sendJson,
  TARGET_PREFIX,
  WireError,
} from './api-wire.js';
import type { BusScope } from './rule-model.js';
import type { RuleStore } from './rule-store.js';

export interface EventBridgeRouteOptions extends BusScope {
  rules: RuleStore;
  /** The secret of an access key id, or undefined when the key is unknown. */
  lookupSecret(accessKeyId: string): string | undefined;
  logger: Logger;
}

/**
 * The route answering `X-Amz-Target: AWSEvents.*`.
 *
 * @example
 * const routes = [createEventBridgeRoute({ rules, lookupSecret, region, accountId, logger })];
 * // aws --endpoint-url http://localhost:9000 events list-rules
 */
export function createEventBridgeRoute(options: EventBridgeRouteOptions): Route {
  const scope = { region: options.region, accountId: options.accountId };
  return {
    name: 'eventbridge',
    matches: (req) => req.method === 'POST' && targetOf(req)?.startsWith(TARGET_PREFIX) === true,
    handle: async (req, res, ids) => {
      const operation = targetOf(req)!.slice(TARGET_PREFIX.length);
      try {
        if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
        const body = await readBody(req, res);
        authenticate(req, body, (id) => options.lookupSecret(id));
        const perform = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
        if (!perform)
          throw new WireError(
            'UnknownOperationException',
            `Vigil implements only ${Object.keys(OPERATIONS).join(', ')} of the EventBridge API, on the default event bus; not ${operation}.`,
          );
        sendJson(
          res,
          200,
          ids.requestId,
          perform(parseJsonObject(body), { rules: options.rules, scope }),
        );
      } catch (error) {
        sendError(res, ids.requestId, error, options.logger, operation);
      }
    },
  };
}

function targetOf(req: IncomingMessage): string | undefined {
  const value = req.headers['x-amz-target'];
  return Array.isArray(value) ? value.join(',') : value;
}
