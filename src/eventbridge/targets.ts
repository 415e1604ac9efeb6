/**
 * Which targets a rule may have: Vigil delivers only to the destinations it knows, so a
 * target's ARN must name a queue, topic, function or webhook, or a NATS JetStream subject or
 * another account's SQS queue declared in the config file, that exists when it is added (AWS
 * accepts any well-formed ARN and fails at delivery; Vigil refuses up front, as S3 does for
 * notification destinations). What the target receives (`Input` or `InputPath`) is checked
 * here too, so a delivery never fails on it.
 */
import { readDestinationArn } from '../destinations/directory.js';
import type { DestinationKind, NotificationDestinations } from '../events/index.js';
import { validation, type EventBridgeError } from './errors.js';
import { parseInputPath } from './input-path.js';
import type { RuleTarget } from './rule-model.js';

/** Why a target ARN cannot receive events, or undefined when it can. */
export type TargetCheck = (arn: string) => string | undefined;

const KIND: Record<'sqs' | 'sns' | 'lambda' | 'webhook' | 'nats', DestinationKind> = {
  sqs: 'queue',
  webhook: 'queue',
  nats: 'queue',
  sns: 'topic',
  lambda: 'lambda',
};

/**
 * The check for Vigil's own destinations, answered by the destination directory (the same
 * answer S3's PutBucketNotificationConfiguration gets).
 *
 * @example const check = vigilTargetCheck(directory);
 * check('arn:aws:sqs:us-east-1:000000000000:missing') // 'The destination queue does not exist'
 */
export function vigilTargetCheck(
  destinations: Pick<NotificationDestinations, 'problemWith'>,
): TargetCheck {
  return (arn) => {
    const parsed = readDestinationArn(arn);
    if (parsed === undefined)
      return `Vigil delivers events only to its own queues (arn:aws:sqs:…), topics (arn:aws:sns:…), functions (arn:aws:lambda:…:function:…), webhooks (arn:vigil:webhook:…) and NATS JetStream subjects (arn:vigil:nats:…), and to the SQS queues its config file declares; ${arn} is none of them.`;
    const problem = destinations.problemWith(KIND[parsed.service], arn, '');
    if (problem === undefined) return undefined;
    // S3's wording for functions is about permissions; here the function is missing.
    return parsed.service === 'lambda' ? 'The destination function does not exist' : problem;
  };
}

/**
 * Why a target cannot be stored, as the `ValidationException` of its FailedEntries entry,
 * or undefined when it can.
 */
export function targetProblem(
  target: RuleTarget,
  check: TargetCheck,
): EventBridgeError | undefined {
  if (target.input !== undefined && target.inputPath !== undefined)
    return validation(
      `Target ${target.id}: Input and InputPath are mutually exclusive; give one of them.`,
    );
  if (target.input !== undefined && !isJson(target.input))
    return validation(`Target ${target.id}: Input is not valid JSON text.`);
  if (target.inputPath !== undefined) {
    const path = parseInputPath(target.inputPath);
    if (!Array.isArray(path)) return path as EventBridgeError;
  }
  const problem = check(target.arn);
  return problem === undefined ? undefined : validation(`${problem}: ${target.arn}`);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
