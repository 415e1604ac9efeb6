/**
 * The EventBridge operations Vigil answers, request to response. Shapes, members and
 * constraints: botocore `events/2015-10-07/service-2.json`; behaviour and wording: the API
 * reference pages of each operation, and recorded AWS answers where cited.
 */
import {
  checkLength,
  checkName,
  isStructure,
  nextToken,
  optionalBoolean,
  optionalString,
  pageLimit,
  readNextToken,
  requireDefaultBus,
  requiredList,
  requiredString,
  type Input,
} from './api-input.js';
import { constraintError, ruleNotFound, validation } from './errors.js';
import { WireError } from './api-wire.js';
import { matchesEventPattern } from './pattern.js';
import {
  compileEventPattern,
  DEFAULT_BUS,
  MAX_DESCRIPTION_LENGTH,
  MAX_EVENT_PATTERN_LENGTH,
  MAX_INPUT_LENGTH,
  MAX_INPUT_PATH_LENGTH,
  ruleArn,
  type BusScope,
  type EventRule,
  type RuleState,
  type RuleTarget,
} from './rule-model.js';
import type { FailedTarget, RuleStore } from './rule-store.js';

export interface OperationContext {
  rules: RuleStore;
  scope: BusScope;
}

type Operation = (input: Input, context: OperationContext) => object;

/** At most 10 entries per PutTargets and RemoveTargets request (their reference pages). */
const MAX_ENTRIES = 10;
/** Target members Vigil stores; RoleArn is accepted and has no effect (no IAM in Vigil). */
const TARGET_MEMBERS = new Set(['Id', 'Arn', 'Input', 'InputPath', 'RoleArn']);
const STATES = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'];
/** TestEventPattern: the fields an event must have (LocalStack, validated against AWS). */
const EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'];

const PutRule: Operation = (input, { rules, scope }) => {
  const name = checkName('name', requiredString(input, 'Name'));
  requireDefaultBus(scope, input);
  if (optionalString(input, 'ScheduleExpression') !== undefined)
    throw validation(
      'Vigil does not run scheduled rules: ScheduleExpression is not supported. Give an EventPattern instead.',
    );
  // Tags would be stored and shown nowhere: refused rather than silently dropped.
  if (Array.isArray(input['Tags']) && input['Tags'].length > 0)
    throw validation('Vigil does not store tags on rules: send PutRule without Tags.');
  const eventPattern = optionalString(input, 'EventPattern');
  if (eventPattern === undefined)
    throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
  checkLength('eventPattern', eventPattern, MAX_EVENT_PATTERN_LENGTH);
  const description = optionalString(input, 'Description');
  checkLength('description', description, MAX_DESCRIPTION_LENGTH);
  const state = ruleState(optionalString(input, 'State'));
  return { RuleArn: rules.putRule({ name, eventPattern, description, state }).arn };
};

function ruleState(value: string | undefined): RuleState {
  if (value === undefined) return 'ENABLED';
  if (!STATES.includes(value))
    throw constraintError(
      'state',
      value,
      `Member must satisfy enum value set: [${STATES.join(', ')}]`,
    );
  if (value === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS')
    throw validation('Vigil has no CloudTrail management events: use State ENABLED (or DISABLED).');
  return value as RuleState;
}

const DescribeRule: Operation = (input, { rules, scope }) => {
  const name = checkName('name', requiredString(input, 'Name'));
  requireDefaultBus(scope, input);
  const rule = rules.getRule(name);
  if (!rule) throw ruleNotFound(name);
  return { ...ruleShape(scope, rule), CreatedBy: scope.accountId };
};

const ListRules: Operation = (input, { rules, scope }) => {
  const prefix = optionalString(input, 'NamePrefix');
  if (prefix !== undefined) checkName('namePrefix', prefix);
  requireDefaultBus(scope, input);
  const after = readNextToken(input, 'rules');
  const page = rules.listRules({
    ...prefixed(prefix),
    ...(after ? { after } : {}),
    limit: pageLimit(input, 100),
  });
  const last = page.rules.at(-1);
  return {
    Rules: page.rules.map((rule) => ruleShape(scope, rule)),
    ...(page.more && last ? { NextToken: nextToken('rules', last.name) } : {}),
  };
};

const prefixed = (prefix: string | undefined) => (prefix === undefined ? {} : { prefix });

function ruleShape(scope: BusScope, rule: EventRule): object {
  return {
    Name: rule.name,
    Arn: ruleArn(scope, rule.name),
    EventPattern: rule.eventPattern,
    State: rule.state,
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
    EventBusName: DEFAULT_BUS,
  };
}

const DeleteRule: Operation = (input, { rules, scope }) => {
  const name = checkName('name', requiredString(input, 'Name'));
  requireDefaultBus(scope, input);
  rules.deleteRule(name, { force: optionalBoolean(input, 'Force') });
  return {};
};

const stateSetter =
  (state: RuleState): Operation =>
  (input, { rules, scope }) => {
    const name = checkName('name', requiredString(input, 'Name'));
    requireDefaultBus(scope, input);
    rules.setState(name, state);
    return {};
  };

const PutTargets: Operation = (input, { rules, scope }) => {
  const rule = checkName('rule', requiredString(input, 'Rule'));
  requireDefaultBus(scope, input);
  const entries = requiredList(input, 'Targets', { min: 1, max: 100 });
  if (entries.length > MAX_ENTRIES)
    throw validation(
      `PutTargets takes at most ${MAX_ENTRIES} targets per request; this one has ${entries.length}.`,
    );
  const targets: RuleTarget[] = [];
  const refused: FailedTarget[] = [];
  entries.forEach((entry, index) => {
    const target = readTarget(entry, index + 1);
    const unsupported = Object.keys(entry as Input).filter((member) => !TARGET_MEMBERS.has(member));
    if (unsupported.length === 0) targets.push(target);
    else
      refused.push({
        targetId: target.id,
        errorCode: 'ValidationException',
        errorMessage: `Vigil does not support ${unsupported.join(', ')} on targets; it supports Input and InputPath.`,
      });
  });
  const { failed } = rules.putTargets(rule, targets);
  return failedEntries([...refused, ...failed]);
};

function readTarget(entry: unknown, position: number): RuleTarget {
  if (!isStructure(entry))
    throw new WireError('SerializationException', `Targets[${position}] must be a structure.`);
  const at = `targets.${position}.member`;
  const id = checkName(`${at}.id`, requiredMember(entry, 'Id', `${at}.id`));
  const arn = requiredMember(entry, 'Arn', `${at}.arn`);
  if (arn.length < 1)
    throw constraintError(`${at}.arn`, arn, 'Member must have length greater than or equal to 1');
  checkLength(`${at}.arn`, arn, 1600);
  const targetInput = optionalString(entry, 'Input');
  checkLength(`${at}.input`, targetInput, MAX_INPUT_LENGTH);
  const inputPath = optionalString(entry, 'InputPath');
  checkLength(`${at}.inputPath`, inputPath, MAX_INPUT_PATH_LENGTH);
  return {
    id,
    arn,
    ...(targetInput !== undefined ? { input: targetInput } : {}),
    ...(inputPath !== undefined ? { inputPath } : {}),
  };
}

function requiredMember(entry: Input, member: string, at: string): string {
  const value = optionalString(entry, member);
  if (value === undefined) throw constraintError(at, null, 'Member must not be null');
  return value;
}

const RemoveTargets: Operation = (input, { rules, scope }) => {
  const rule = checkName('rule', requiredString(input, 'Rule'));
  requireDefaultBus(scope, input);
  const ids = requiredList(input, 'Ids', { min: 1, max: 100 });
  if (ids.length > MAX_ENTRIES)
    throw validation(
      `RemoveTargets takes at most ${MAX_ENTRIES} Ids per request; this one has ${ids.length}.`,
    );
  ids.forEach((id, index) => {
    if (typeof id !== 'string')
      throw new WireError('SerializationException', `Ids[${index + 1}] must be a string.`);
    checkName(`ids.${index + 1}.member`, id);
  });
  optionalBoolean(input, 'Force'); // for managed rules, which Vigil does not have
  return failedEntries(rules.removeTargets(rule, ids as string[]).failed);
};

function failedEntries(failed: readonly FailedTarget[]): object {
  return {
    FailedEntryCount: failed.length,
    FailedEntries: failed.map((entry) => ({
      TargetId: entry.targetId,
      ErrorCode: entry.errorCode,
      ErrorMessage: entry.errorMessage,
    })),
  };
}

const ListTargetsByRule: Operation = (input, { rules, scope }) => {
  const rule = checkName('rule', requiredString(input, 'Rule'));
  requireDefaultBus(scope, input);
  const from = Number(readNextToken(input, 'targets') ?? '0');
  const limit = pageLimit(input, 100);
  const targets = rules.listTargets(rule);
  const page = targets.slice(from, from + limit);
  return {
    Targets: page.map((target) => ({
      Id: target.id,
      Arn: target.arn,
      ...(target.input !== undefined ? { Input: target.input } : {}),
      ...(target.inputPath !== undefined ? { InputPath: target.inputPath } : {}),
    })),
    ...(from + limit < targets.length
      ? { NextToken: nextToken('targets', String(from + limit)) }
      : {}),
  };
};

const TestEventPattern: Operation = (input) => {
  const text = requiredString(input, 'EventPattern');
  checkLength('eventPattern', text, MAX_EVENT_PATTERN_LENGTH);
  const eventText = requiredString(input, 'Event');
  const pattern = compileEventPattern(text);
  return { Result: matchesEventPattern(pattern, readEvent(eventText)) };
};

/** "Parameter Event is not valid." is AWS's answer (LocalStack and other emulators agree). */
function readEvent(text: string): unknown {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    throw validation('Parameter Event is not valid.');
  }
  if (!isStructure(event)) throw validation('Parameter Event is not valid.');
  const missing = EVENT_FIELDS.filter((field) => !Object.hasOwn(event, field));
  if (missing.length > 0)
    throw validation(
      `Parameter Event is not valid. Reason: Provided Event is missing required field ${missing.join(', ')}.`,
    );
  return event;
}

/** Every operation Vigil answers, by its `X-Amz-Target` suffix. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  PutRule,
  DescribeRule,
  ListRules,
  DeleteRule,
  EnableRule: stateSetter('ENABLED'),
  DisableRule: stateSetter('DISABLED'),
  PutTargets,
  RemoveTargets,
  ListTargetsByRule,
  TestEventPattern,
};
