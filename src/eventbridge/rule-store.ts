/**
 * The rules and targets of Vigil's default event bus, in the metadata database
 * (`eventbridge_rules`, `eventbridge_targets`, migration 15), and the bus itself: the outbox
 * writer asks `deliveriesFor` inside each object change's transaction which targets an event
 * reaches, and inserts one outbox row per answer (ADR 22).
 *
 * Patterns are compiled once and kept in memory; every write through the store drops them,
 * and the next event compiles them again from the database.
 */
import type { SqliteDatabase } from '../storage/index.js';
import { ruleHasTargets, ruleNotFound, tooManyTargets } from './errors.js';
import { parseInputPath, selectInputPath, type InputPath } from './input-path.js';
import { matchesEventPattern, parseEventPattern, type EventPattern } from './pattern.js';
import {
  compileEventPattern,
  MAX_TARGETS_PER_RULE,
  ruleArn,
  type BusScope,
  type EventRule,
  type RuleState,
  type RuleTarget,
} from './rule-model.js';
import type { EventBridgeEvent } from './s3-event.js';
import { targetProblem, type TargetCheck } from './targets.js';
import type { EventBus, EventBusDelivery } from './types.js';

export interface RuleStoreOptions extends BusScope {
  db: SqliteDatabase;
  /** Why an ARN cannot be a target; `vigilTargetCheck(directory)` in a running Vigil. */
  checkTarget: TargetCheck;
  now?: () => number;
}

/** What PutRule gives; omitted fields take their defaults, as PutRule replaces a rule whole. */
export interface RuleInput {
  name: string;
  eventPattern: string;
  state?: RuleState;
  description?: string | undefined;
}

/** A target refused by PutTargets or RemoveTargets, as their `FailedEntries` carry it. */
export interface FailedTarget {
  targetId: string;
  errorCode: string;
  errorMessage: string;
}

interface RuleRow {
  name: string;
  event_pattern: string;
  state: RuleState;
  description: string | null;
  created_at: number;
}

interface TargetRow {
  rule: string;
  id: string;
  arn: string;
  input: string | null;
  input_path: string | null;
}

interface CompiledRule {
  pattern: EventPattern;
  targets: { arn: string; body: (event: EventBridgeEvent) => string }[];
}

/**
 * The default event bus: rules, their targets, and which targets an event reaches.
 *
 * @example
 * const bus = new RuleStore({ db: engine.db, region, accountId, checkTarget: vigilTargetCheck(directory) });
 * bus.putRule({ name: 'images', eventPattern: '{"source":["aws.s3"]}' });
 * bus.putTargets('images', [{ id: 'q', arn: 'arn:aws:sqs:us-east-1:000000000000:images' }]);
 * installOutboxWriter({ engine, store, …, eventBus: bus });
 */
export class RuleStore implements EventBus {
  private compiled: CompiledRule[] | undefined;
  private readonly now: () => number;

  constructor(private readonly options: RuleStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  ruleArn(name: string): string {
    return ruleArn(this.options, name);
  }

  // ---- rules -------------------------------------------------------------------------------

  /**
   * Creates or replaces a rule (its targets stay). Replacing keeps the creation time;
   * an omitted state is ENABLED and an omitted description is cleared, as in PutRule.
   *
   * @throws EventBridgeError InvalidEventPatternException for a pattern EventBridge refuses.
   */
  putRule(rule: RuleInput): { arn: string } {
    compileEventPattern(rule.eventPattern);
    this.write(() =>
      this.options.db
        .prepare(
          `INSERT INTO eventbridge_rules (name, event_pattern, state, description, created_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET event_pattern = excluded.event_pattern,
             state = excluded.state, description = excluded.description`,
        )
        .run(
          rule.name,
          rule.eventPattern,
          rule.state ?? 'ENABLED',
          rule.description ?? null,
          this.now(),
        ),
    );
    return { arn: this.ruleArn(rule.name) };
  }

  getRule(name: string): EventRule | undefined {
    const row = this.options.db
      .prepare('SELECT * FROM eventbridge_rules WHERE name = ?')
      .get(name) as RuleRow | undefined;
    return row && ruleOf(row);
  }

  /** Rules in name order, after `after` (a name) and starting with `prefix`. */
  listRules(query: { prefix?: string; after?: string; limit: number }): {
    rules: EventRule[];
    more: boolean;
  } {
    const prefix = query.prefix ?? '';
    const rows = this.options.db
      .prepare(
        `SELECT * FROM eventbridge_rules
         WHERE substr(name, 1, ?) = ? AND name > ? ORDER BY name LIMIT ?`,
      )
      .all(prefix.length, prefix, query.after ?? '', query.limit + 1) as RuleRow[];
    return { rules: rows.slice(0, query.limit).map(ruleOf), more: rows.length > query.limit };
  }

  /**
   * Deletes a rule; deleting one that does not exist succeeds (DeleteRule reference: "If you
   * call delete rule multiple times for the same rule, all calls will succeed").
   *
   * `force` deletes the targets with the rule. AWS documents Force for managed rules and
   * "ignored for rules that are not managed"; terraform-provider-aws's forced deletion
   * (PR #34905) passes its acceptance test against AWS with it, so Vigil, which has no
   * managed rules, honours it (UNVERIFIED what AWS does with an unmanaged rule's targets).
   *
   * @throws EventBridgeError ValidationException while the rule has targets, unless `force`.
   */
  deleteRule(name: string, options: { force?: boolean } = {}): void {
    this.write(() => {
      if (!options.force && this.targetRows(name).length > 0) throw ruleHasTargets();
      this.options.db.prepare('DELETE FROM eventbridge_rules WHERE name = ?').run(name);
    });
  }

  /** @throws EventBridgeError ResourceNotFoundException for an unknown rule. */
  setState(name: string, state: RuleState): void {
    this.write(() => {
      const { changes } = this.options.db
        .prepare('UPDATE eventbridge_rules SET state = ? WHERE name = ?')
        .run(state, name);
      if (changes === 0) throw ruleNotFound(name);
    });
  }

  // ---- targets -----------------------------------------------------------------------------

  /**
   * Adds or replaces targets by Id. Targets that cannot be stored are answered as failed
   * entries and the others stored; a rule may have five targets in all.
   *
   * @throws EventBridgeError ResourceNotFoundException (unknown rule), LimitExceededException
   *   (more than five targets): then nothing is stored.
   */
  putTargets(rule: string, targets: readonly RuleTarget[]): { failed: FailedTarget[] } {
    const failed: FailedTarget[] = [];
    const good = new Map<string, RuleTarget>();
    for (const target of targets) {
      const problem = targetProblem(target, this.options.checkTarget);
      if (problem === undefined) good.set(target.id, target);
      else
        failed.push({
          targetId: target.id,
          errorCode: problem.code,
          errorMessage: problem.message,
        });
    }
    this.write(() => {
      this.requireRule(rule);
      const ids = new Set([...this.targetRows(rule).map((row) => row.id), ...good.keys()]);
      if (ids.size > MAX_TARGETS_PER_RULE) throw tooManyTargets();
      const upsert = this.options.db.prepare(
        `INSERT INTO eventbridge_targets (rule, id, arn, input, input_path) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (rule, id) DO UPDATE SET arn = excluded.arn, input = excluded.input,
           input_path = excluded.input_path`,
      );
      for (const target of good.values())
        upsert.run(rule, target.id, target.arn, target.input ?? null, target.inputPath ?? null);
    });
    return { failed };
  }

  /**
   * Removes targets by Id; Ids the rule does not have come back as failed entries (in
   * LocalStack's words, UNVERIFIED against AWS).
   *
   * @throws EventBridgeError ResourceNotFoundException for an unknown rule.
   */
  removeTargets(rule: string, ids: readonly string[]): { failed: FailedTarget[] } {
    const failed: FailedTarget[] = [];
    this.write(() => {
      this.requireRule(rule);
      const remove = this.options.db.prepare(
        'DELETE FROM eventbridge_targets WHERE rule = ? AND id = ?',
      );
      for (const id of new Set(ids)) {
        if (remove.run(rule, id).changes > 0) continue;
        failed.push({
          targetId: id,
          errorCode: 'ResourceNotFoundException',
          errorMessage: `Rule '${rule}' does not have a target with the Id '${id}'.`,
        });
      }
    });
    return { failed };
  }

  /** A rule's targets in the order they were first added. */
  listTargets(rule: string): RuleTarget[] {
    this.requireRule(rule);
    return this.targetRows(rule).map(targetOf);
  }

  /** Runs several writes as one transaction: all of them happen, or none. */
  batch<T>(work: () => T): T {
    return this.write(work);
  }

  // ---- the bus -----------------------------------------------------------------------------

  deliveriesFor(event: EventBridgeEvent): EventBusDelivery[] {
    const deliveries: EventBusDelivery[] = [];
    for (const rule of this.compile()) {
      if (!matchesEventPattern(rule.pattern, event)) continue;
      for (const target of rule.targets)
        deliveries.push({ targetArn: target.arn, body: target.body(event) });
    }
    return deliveries;
  }

  /** Enabled rules with targets, compiled; read again after any write through the store. */
  private compile(): CompiledRule[] {
    if (this.compiled) return this.compiled;
    const rules = this.options.db
      .prepare("SELECT * FROM eventbridge_rules WHERE state = 'ENABLED' ORDER BY name")
      .all() as RuleRow[];
    const targets = this.options.db
      .prepare('SELECT * FROM eventbridge_targets ORDER BY rowid')
      .all() as TargetRow[];
    this.compiled = rules
      .map((rule) => ({
        // Stored patterns were validated when stored; the default quota cannot have shrunk.
        pattern: parseEventPattern(rule.event_pattern),
        targets: targets
          .filter((target) => target.rule === rule.name)
          .map((target) => ({ arn: target.arn, body: bodyMaker(target) })),
      }))
      .filter((rule) => rule.targets.length > 0);
    return this.compiled;
  }

  private write<T>(work: () => T): T {
    try {
      return this.options.db.transaction(work)();
    } finally {
      this.compiled = undefined;
    }
  }

  private requireRule(name: string): void {
    const found = this.options.db
      .prepare('SELECT 1 FROM eventbridge_rules WHERE name = ?')
      .get(name);
    if (found === undefined) throw ruleNotFound(name);
  }

  private targetRows(rule: string): TargetRow[] {
    return this.options.db
      .prepare('SELECT * FROM eventbridge_targets WHERE rule = ? ORDER BY rowid')
      .all(rule) as TargetRow[];
  }
}

/**
 * What a target receives: the event, the constant `Input`, or the `InputPath` selection. A
 * path the event lacks sends JSON `null` rather than nothing (UNVERIFIED what AWS sends).
 */
function bodyMaker(target: TargetRow): (event: EventBridgeEvent) => string {
  if (target.input !== null) {
    const input = target.input;
    return () => input;
  }
  if (target.input_path !== null) {
    const path = parseInputPath(target.input_path) as InputPath;
    return (event) => JSON.stringify(selectInputPath(path, event) ?? null);
  }
  return (event) => JSON.stringify(event);
}

function ruleOf(row: RuleRow): EventRule {
  return {
    name: row.name,
    eventPattern: row.event_pattern,
    state: row.state,
    ...(row.description !== null ? { description: row.description } : {}),
    createdAt: row.created_at,
  };
}

function targetOf(row: TargetRow): RuleTarget {
  return {
    id: row.id,
    arn: row.arn,
    ...(row.input !== null ? { input: row.input } : {}),
    ...(row.input_path !== null ? { inputPath: row.input_path } : {}),
  };
}
