import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.js';
import { openDatabase, type SqliteDatabase } from '../storage/index.js';
import { ConfigRuleError, declareConfigRules } from './config-rules.js';
import { eventBridgeConfigSchema } from './config-schema.js';
import { RuleStore } from './rule-store.js';

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:images';
const PATTERN = { source: ['aws.s3'], 'detail-type': ['Object Created'] };

/** The config file's `eventBridge` as loadConfig reads it. */
const load = (eventBridge: unknown) =>
  loadConfig({}, {}, { path: 'vigil.json', values: { eventBridge } }).eventBridge;

describe('the eventBridge config schema', () => {
  it('defaults to no rules', () => {
    expect(loadConfig({}, {}).eventBridge).toEqual({ rules: [] });
  });

  it('takes a pattern as an object or as JSON text, Input likewise', () => {
    const config = load({
      rules: [
        {
          name: 'images',
          eventPattern: PATTERN,
          targets: [{ id: 'q', arn: QUEUE, input: { hello: 'world' } }],
        },
        {
          name: 'text',
          eventPattern: JSON.stringify(PATTERN),
          description: 'd',
          state: 'DISABLED',
          targets: [{ id: 'q', arn: QUEUE, inputPath: '$.detail' }],
        },
      ],
    });
    expect(config.rules).toEqual([
      {
        name: 'images',
        eventPattern: JSON.stringify(PATTERN),
        state: 'ENABLED',
        targets: [{ id: 'q', arn: QUEUE, input: '{"hello":"world"}' }],
      },
      {
        name: 'text',
        eventPattern: JSON.stringify(PATTERN),
        description: 'd',
        state: 'DISABLED',
        targets: [{ id: 'q', arn: QUEUE, inputPath: '$.detail' }],
      },
    ]);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a pattern EventBridge refuses',
      { rules: [{ name: 'r', eventPattern: { source: 'aws.s3' } }] },
      /^Invalid eventBridge\.rules\[0\]\.eventPattern \(from config file vigil\.json\): Event pattern is not valid\. Reason: /,
    ],
    [
      'a rule name with a space',
      { rules: [{ name: 'my rule', eventPattern: PATTERN }] },
      /^Invalid eventBridge\.rules\[0\]\.name .*expected 1-64 letters/,
    ],
    [
      'an InputPath Vigil cannot read',
      {
        rules: [
          {
            name: 'r',
            eventPattern: PATTERN,
            targets: [{ id: 'a', arn: QUEUE, inputPath: '$.a[0]' }],
          },
        ],
      },
      /^Invalid eventBridge\.rules\[0\]\.targets\[0\]\.inputPath .*InputPath \$\.a\[0\] is not supported/,
    ],
    [
      'Input that is not JSON',
      {
        rules: [
          { name: 'r', eventPattern: PATTERN, targets: [{ id: 'a', arn: QUEUE, input: '{x' }] },
        ],
      },
      /^Invalid eventBridge\.rules\[0\]\.targets\[0\]\.input .*expected JSON/,
    ],
    [
      'both Input and InputPath',
      {
        rules: [
          {
            name: 'r',
            eventPattern: PATTERN,
            targets: [{ id: 'a', arn: QUEUE, input: '1', inputPath: '$' }],
          },
        ],
      },
      /^Invalid eventBridge\.rules\[0\]\.targets\[0\]\.inputPath .*not both/,
    ],
    [
      'six targets',
      {
        rules: [
          {
            name: 'r',
            eventPattern: PATTERN,
            targets: ['1', '2', '3', '4', '5', '6'].map((id) => ({ id, arn: QUEUE })),
          },
        ],
      },
      /^Invalid eventBridge\.rules\[0\]\.targets .*at most 5 targets/,
    ],
    [
      'two rules of one name',
      {
        rules: [
          { name: 'r', eventPattern: PATTERN },
          { name: 'r', eventPattern: PATTERN },
        ],
      },
      /^Invalid eventBridge\.rules .*unique/,
    ],
    ['an unknown key', { rules: [], buses: [] }, /^Invalid eventBridge/],
  ])('refuses %s, naming the field', (_label, eventBridge, message) => {
    expect(() => load(eventBridge)).toThrow(ConfigError);
    expect(() => load(eventBridge)).toThrow(message);
  });

  it('is the schema config/schema.ts uses', () => {
    expect(eventBridgeConfigSchema.parse({})).toEqual({ rules: [] });
  });
});

describe('declareConfigRules', () => {
  let dir: string;
  let db: SqliteDatabase;
  let store: RuleStore;
  let clock: number;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-config-rules-'));
    db = openDatabase(join(dir, 'vigil.db'));
    clock = 1;
    store = new RuleStore({
      db,
      region: 'us-east-1',
      accountId: '000000000000',
      checkTarget: (arn) => (arn === QUEUE ? undefined : 'The destination queue does not exist'),
      now: () => clock,
    });
  });

  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const config = load({
    rules: [
      {
        name: 'images',
        eventPattern: PATTERN,
        targets: [{ id: 'q', arn: QUEUE, inputPath: '$.detail' }],
      },
    ],
  });

  it('declares rules and targets; declaring them again changes nothing', () => {
    declareConfigRules(config, store);
    const snapshot = () => ({
      rules: db.prepare('SELECT * FROM eventbridge_rules').all(),
      targets: db.prepare('SELECT rowid, * FROM eventbridge_targets').all(),
    });
    const first = snapshot();
    expect(store.listTargets('images')).toEqual([{ id: 'q', arn: QUEUE, inputPath: '$.detail' }]);
    clock = 2;
    declareConfigRules(config, store);
    expect(snapshot()).toEqual(first);
  });

  it('fails naming the target whose destination does not exist, declaring nothing', () => {
    const missing = load({
      rules: [
        { name: 'first', eventPattern: PATTERN, targets: [{ id: 'q', arn: QUEUE }] },
        {
          name: 'second',
          eventPattern: PATTERN,
          targets: [
            { id: 'q', arn: QUEUE },
            { id: 'gone', arn: 'arn:aws:sqs:us-east-1:000000000000:gone' },
          ],
        },
      ],
    });
    let caught: unknown;
    try {
      declareConfigRules(missing, store);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigRuleError);
    expect((caught as ConfigRuleError).message).toBe(
      'eventBridge.rules[1].targets[1].arn: The destination queue does not exist: arn:aws:sqs:us-east-1:000000000000:gone',
    );
    expect(store.listRules({ limit: 10 }).rules).toEqual([]);
  });
});
