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
  authorizeEvents,
  parseJsonObject,
  readBody,
  sendError,
  sendJson,
  TARGET_PREFIX,
  WireError,
} from './api-wire.js';
import type { BusScope } from './rule-model.js';
import { requestConditionKeys, type TrustedProxies } from '../iam/request-context.js';
import type { AccessGate } from '../iam/types.js';
import type { RuleStore } from './rule-store.js';

export interface EventBridgeRouteOptions extends BusScope {
  rules: RuleStore;
  /** Whose keys sign requests, and what they may do. */
  gate: AccessGate;
  proxies?: TrustedProxies;
  logger: Logger;
}

/**
 * The route answering `X-Amz-Target: AWSEvents.*`.
 *
 * @example
 * const routes = [createEventBridgeRoute({ rules, gate, region, accountId, logger })];
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
        const credential = authenticate(req, body, options.gate);
        const perform = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
        if (!perform)
          throw new WireError(
            'UnknownOperationException',
            `Vigil implements only ${Object.keys(OPERATIONS).join(', ')} of the EventBridge API, on the default event bus; not ${operation}.`,
          );
        const input = parseJsonObject(body);
        authorizeEvents(
          options.gate,
          credential,
          operation,
          input,
          scope,
          requestConditionKeys(req, options.proxies),
        );
        sendJson(res, 200, ids.requestId, perform(input, { rules: options.rules, scope }));
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
