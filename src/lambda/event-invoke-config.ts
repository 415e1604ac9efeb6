/**
 * PutFunctionEventInvokeConfig / UpdateFunctionEventInvokeConfig input: retries (0–2),
 * maximum event age (60–21600 s) and the on-failure destination — one of Vigil's own
 * queues, by its SQS ARN, since the runtime sends on-failure records to Vigil queues.
 */
import { invalidParameter } from './errors.js';
import { optionalInteger, optionalObject, optionalString, type Input } from './input.js';
import type { Scope } from './names.js';
import type { EventInvokeConfig } from './types.js';

export function readEventInvokeConfig(
  input: Input,
  current: EventInvokeConfig | undefined,
  context: { scope: Scope; queues: { exists(name: string): boolean } },
  now: number,
): EventInvokeConfig {
  const retries = optionalInteger(input, 'MaximumRetryAttempts', 'maximumRetryAttempts', 0, 2);
  const age = optionalInteger(
    input,
    'MaximumEventAgeInSeconds',
    'maximumEventAgeInSeconds',
    60,
    21_600,
  );
  const destinations = optionalObject(input, 'DestinationConfig');
  const onSuccess = destinations && optionalObject(destinations, 'OnSuccess');
  if (onSuccess && optionalString(onSuccess, 'Destination'))
    throw invalidParameter(
      'Vigil does not send on-success records: give DestinationConfig.OnFailure only.',
    );
  const onFailureBlock = destinations && optionalObject(destinations, 'OnFailure');
  const onFailure =
    destinations === undefined
      ? current?.onFailure
      : onFailureBlock && optionalString(onFailureBlock, 'Destination');
  if (onFailure !== undefined) checkDestination(onFailure, context);
  const maximumRetryAttempts = retries ?? current?.maximumRetryAttempts;
  const maximumEventAgeInSeconds = age ?? current?.maximumEventAgeInSeconds;
  return {
    ...(maximumRetryAttempts !== undefined ? { maximumRetryAttempts } : {}),
    ...(maximumEventAgeInSeconds !== undefined ? { maximumEventAgeInSeconds } : {}),
    ...(onFailure ? { onFailure } : {}),
    lastModified: now,
  };
}

function checkDestination(
  arn: string,
  { scope, queues }: { scope: Scope; queues: { exists(name: string): boolean } },
): void {
  const match = /^arn:aws[a-zA-Z-]*:sqs:([^:]+):(\d{12}):([A-Za-z0-9_-]{1,80})$/.exec(arn);
  if (!match)
    throw invalidParameter(
      `Vigil sends on-failure records only to its own queues, given by SQS ARN (arn:aws:sqs:${scope.region}:${scope.accountId}:<queue>); not ${arn}.`,
    );
  if (match[1] !== scope.region || match[2] !== scope.accountId || !queues.exists(match[3]!))
    throw invalidParameter(
      `The destination ${arn} is not one of this Vigil's queues: create the queue first (region ${scope.region}, account ${scope.accountId}).`,
    );
}
