/**
 * Declares the config file's rules on the default bus at start-up, after the destinations
 * they target exist. Rules and targets are upserted, as the file's queues and topics are: a
 * restart with the same file changes nothing, the file's values win over API changes to the
 * same rule, and rules or targets left out of the file are not deleted.
 */
import type { EventBridgeConfig } from './config-schema.js';
import { EventBridgeError } from './errors.js';
import type { RuleStore } from './rule-store.js';

/** A declared rule the store refused; `field` is its path in the config file. */
export class ConfigRuleError extends Error {
  override readonly name = 'ConfigRuleError';

  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/**
 * @throws ConfigRuleError naming the field, e.g. `eventBridge.rules[0].targets[1].arn: The
 *   destination queue does not exist: arn:aws:sqs:…`.
 */
export function declareConfigRules(config: EventBridgeConfig, store: RuleStore): void {
  // All the file's rules, or none: a refused target leaves no half-declared rule behind.
  store.batch(() =>
    config.rules.forEach((rule, r) => declareRule(rule, `eventBridge.rules[${r}]`, store)),
  );
}

function declareRule(rule: EventBridgeConfig['rules'][number], at: string, store: RuleStore): void {
  store.putRule({
    name: rule.name,
    eventPattern: rule.eventPattern,
    state: rule.state,
    description: rule.description,
  });
  const targets = rule.targets.map((target) => ({
    id: target.id,
    arn: target.arn,
    ...(target.input !== undefined ? { input: target.input } : {}),
    ...(target.inputPath !== undefined ? { inputPath: target.inputPath } : {}),
  }));
  let failed;
  try {
    ({ failed } = store.putTargets(rule.name, targets));
  } catch (error) {
    // Five targets in all: the file's and those added through the API since.
    if (error instanceof EventBridgeError)
      throw new ConfigRuleError(`${at}.targets`, error.message);
    throw error;
  }
  const first = failed[0];
  if (first === undefined) return;
  // Names, Input and InputPath were checked with the file: what is left is the destination.
  const t = rule.targets.findIndex((target) => target.id === first.targetId);
  throw new ConfigRuleError(`${at}.targets[${t}].arn`, first.errorMessage);
}
