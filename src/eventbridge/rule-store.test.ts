import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../storage/index.js';
import { EventBridgeError } from './errors.js';
import { RuleStore } from './rule-store.js';
import { buildS3EventBridgeEvent, type EventBridgeEvent } from './s3-event.js';

const ACCOUNT = '111122223333';
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:images`;
const AUDIT = `arn:aws:sqs:us-east-1:${ACCOUNT}:audit`;
const MISSING = `arn:aws:sqs:us-east-1:${ACCOUNT}:missing`;
const S3_PATTERN = '{"source":["aws.s3"]}';

const event = (key: string, size = 10): EventBridgeEvent =>
  buildS3EventBridgeEvent({
    eventName: 'ObjectCreated:Put',
    bucket: 'photos',
    object: { key, size, etag: '"0cc175b9c0f1b6a831c399e269772661"', sequence: 3 },
    origin: {
      requestId: 'R1',
      hostId: 'H1',
      principalId: ACCOUNT,
      sourceIp: '127.0.0.1',
      region: 'us-east-1',
      time: new Date('2026-01-02T03:04:05Z'),
    },
    account: ACCOUNT,
    id: () => '17793124-05d4-b198-2fde-7ededc63b103',
  });

/** Rejects with an EventBridgeError of this code. */
function failsWith(work: () => unknown, code: string, message?: string | RegExp): void {
  let caught: unknown;
  try {
    work();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EventBridgeError);
  expect((caught as EventBridgeError).code).toBe(code);
  if (message !== undefined) expect((caught as EventBridgeError).message).toMatch(message);
}

let dir: string;
let db: SqliteDatabase;
let clock: number;
let store: RuleStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-rules-'));
  db = openDatabase(join(dir, 'vigil.db'));
  clock = 1_000;
  store = new RuleStore({
    db,
    region: 'us-east-1',
    accountId: ACCOUNT,
    checkTarget: (arn) =>
      [QUEUE, AUDIT].includes(arn) ? undefined : 'The destination queue does not exist',
    now: () => clock,
  });
});

afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('rules', () => {
  it('creates a rule with its ARN, ENABLED by default', () => {
    expect(store.putRule({ name: 'images', eventPattern: S3_PATTERN })).toEqual({
      arn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/images`,
    });
    expect(store.getRule('images')).toEqual({
      name: 'images',
      eventPattern: S3_PATTERN,
      state: 'ENABLED',
      createdAt: 1_000,
    });
    expect(store.getRule('other')).toBeUndefined();
  });

  it('replaces a rule whole, keeping its creation time and targets', () => {
    store.putRule({ name: 'r', eventPattern: S3_PATTERN, state: 'DISABLED', description: 'd' });
    store.putTargets('r', [{ id: 'q', arn: QUEUE }]);
    clock = 2_000;
    store.putRule({ name: 'r', eventPattern: '{"source":["aws.ec2"]}' });
    expect(store.getRule('r')).toEqual({
      name: 'r',
      eventPattern: '{"source":["aws.ec2"]}',
      state: 'ENABLED',
      createdAt: 1_000,
    });
    expect(store.listTargets('r')).toEqual([{ id: 'q', arn: QUEUE }]);
  });

  it('refuses a pattern EventBridge refuses, storing nothing', () => {
    failsWith(
      () => store.putRule({ name: 'r', eventPattern: '{"source":"aws.s3"}' }),
      'InvalidEventPatternException',
      /^Event pattern is not valid\. Reason: /,
    );
    expect(store.getRule('r')).toBeUndefined();
  });

  it('lists by name, with a prefix and pages', () => {
    for (const name of ['b-2', 'a-1', 'b-1', 'c', 'b-3'])
      store.putRule({ name, eventPattern: S3_PATTERN });
    const names = (query: Parameters<RuleStore['listRules']>[0]) => {
      const page = store.listRules(query);
      return { names: page.rules.map((r) => r.name), more: page.more };
    };
    expect(names({ limit: 100 })).toEqual({
      names: ['a-1', 'b-1', 'b-2', 'b-3', 'c'],
      more: false,
    });
    expect(names({ prefix: 'b-', limit: 2 })).toEqual({ names: ['b-1', 'b-2'], more: true });
    expect(names({ prefix: 'b-', after: 'b-2', limit: 2 })).toEqual({
      names: ['b-3'],
      more: false,
    });
    expect(names({ prefix: 'b_', limit: 10 })).toEqual({ names: [], more: false });
  });

  it('deletes a rule only without targets, unless forced; an absent rule deletes fine', () => {
    store.putRule({ name: 'r', eventPattern: S3_PATTERN });
    store.putTargets('r', [{ id: 'q', arn: QUEUE }]);
    failsWith(
      () => store.deleteRule('r'),
      'ValidationException',
      "Rule can't be deleted since it has targets.",
    );
    expect(store.getRule('r')).toBeDefined();
    store.deleteRule('r', { force: true });
    expect(store.getRule('r')).toBeUndefined();
    expect(db.prepare('SELECT count(*) AS n FROM eventbridge_targets').get()).toEqual({ n: 0 });
    expect(() => store.deleteRule('r')).not.toThrow();
  });

  it('enables and disables, and says when the rule does not exist', () => {
    store.putRule({ name: 'r', eventPattern: S3_PATTERN });
    store.setState('r', 'DISABLED');
    expect(store.getRule('r')?.state).toBe('DISABLED');
    failsWith(
      () => store.setState('nope', 'ENABLED'),
      'ResourceNotFoundException',
      'Rule nope does not exist on EventBus default.',
    );
  });
});

describe('targets', () => {
  beforeEach(() => {
    store.putRule({ name: 'r', eventPattern: S3_PATTERN });
  });

  it('stores good targets and answers the others as failed entries', () => {
    const { failed } = store.putTargets('r', [
      { id: 'q', arn: QUEUE },
      { id: 'gone', arn: MISSING },
      { id: 'both', arn: QUEUE, input: '{}', inputPath: '$' },
      { id: 'not-json', arn: QUEUE, input: '{oops' },
      { id: 'path', arn: AUDIT, inputPath: '$.detail[0]' },
      { id: 'detail', arn: AUDIT, inputPath: '$.detail' },
    ]);
    expect(failed).toEqual([
      {
        targetId: 'gone',
        errorCode: 'ValidationException',
        errorMessage: `The destination queue does not exist: ${MISSING}`,
      },
      expect.objectContaining({ targetId: 'both', errorCode: 'ValidationException' }),
      expect.objectContaining({ targetId: 'not-json', errorCode: 'ValidationException' }),
      expect.objectContaining({ targetId: 'path', errorCode: 'ValidationException' }),
    ]);
    expect(store.listTargets('r')).toEqual([
      { id: 'q', arn: QUEUE },
      { id: 'detail', arn: AUDIT, inputPath: '$.detail' },
    ]);
  });

  it('replaces a target by Id, keeping its place', () => {
    store.putTargets('r', [
      { id: 'a', arn: QUEUE },
      { id: 'b', arn: QUEUE },
    ]);
    store.putTargets('r', [{ id: 'a', arn: AUDIT, input: '"hi"' }]);
    expect(store.listTargets('r')).toEqual([
      { id: 'a', arn: AUDIT, input: '"hi"' },
      { id: 'b', arn: QUEUE },
    ]);
  });

  it('allows five targets per rule and stores none of a request that would make six', () => {
    const five = ['1', '2', '3', '4', '5'].map((id) => ({ id, arn: QUEUE }));
    store.putTargets('r', five);
    store.putTargets('r', [{ id: '5', arn: AUDIT }]);
    failsWith(
      () =>
        store.putTargets('r', [
          { id: '1', arn: AUDIT },
          { id: '6', arn: QUEUE },
        ]),
      'LimitExceededException',
      'The requested resource exceeds the maximum number allowed.',
    );
    expect(store.listTargets('r').map((t) => [t.id, t.arn])).toEqual([
      ['1', QUEUE],
      ['2', QUEUE],
      ['3', QUEUE],
      ['4', QUEUE],
      ['5', AUDIT],
    ]);
  });

  it('removes targets by Id, answering unknown Ids as failed entries', () => {
    store.putTargets('r', [{ id: 'a', arn: QUEUE }]);
    expect(store.removeTargets('r', ['a', 'x'])).toEqual({
      failed: [
        {
          targetId: 'x',
          errorCode: 'ResourceNotFoundException',
          errorMessage: "Rule 'r' does not have a target with the Id 'x'.",
        },
      ],
    });
    expect(store.listTargets('r')).toEqual([]);
  });

  it('says when the rule does not exist', () => {
    failsWith(
      () => store.putTargets('nope', [{ id: 'a', arn: QUEUE }]),
      'ResourceNotFoundException',
    );
    failsWith(() => store.removeTargets('nope', ['a']), 'ResourceNotFoundException');
    failsWith(() => store.listTargets('nope'), 'ResourceNotFoundException');
  });
});

describe('deliveriesFor', () => {
  it('sends each enabled matching rule’s targets the event, its Input or its InputPath', () => {
    store.putRule({ name: 'all', eventPattern: S3_PATTERN });
    store.putTargets('all', [
      { id: 'whole', arn: QUEUE },
      { id: 'detail', arn: AUDIT, inputPath: '$.detail' },
      { id: 'constant', arn: AUDIT, input: '{"hello":"world"}' },
      { id: 'missing', arn: AUDIT, inputPath: '$.detail.nothing' },
    ]);
    store.putRule({
      name: 'png',
      eventPattern: '{"detail":{"object":{"key":[{"suffix":".png"}]}}}',
    });
    store.putTargets('png', [{ id: 'q', arn: QUEUE }]);
    store.putRule({ name: 'off', eventPattern: S3_PATTERN, state: 'DISABLED' });
    store.putTargets('off', [{ id: 'q', arn: QUEUE }]);
    store.putRule({ name: 'no-targets', eventPattern: S3_PATTERN });

    const jpg = event('a.jpg');
    expect(store.deliveriesFor(jpg)).toEqual([
      { targetArn: QUEUE, body: JSON.stringify(jpg) },
      { targetArn: AUDIT, body: JSON.stringify(jpg.detail) },
      { targetArn: AUDIT, body: '{"hello":"world"}' },
      { targetArn: AUDIT, body: 'null' },
    ]);
    expect(store.deliveriesFor(event('b.png')).map((d) => d.targetArn)).toEqual([
      QUEUE,
      AUDIT,
      AUDIT,
      AUDIT,
      QUEUE,
    ]);
  });

  it('keeps compiled rules until a write through the store', () => {
    store.putRule({ name: 'r', eventPattern: S3_PATTERN });
    store.putTargets('r', [{ id: 'q', arn: QUEUE }]);
    expect(store.deliveriesFor(event('a'))).toHaveLength(1);
    // Behind the store's back: not seen, the compiled rules are cached.
    db.prepare("UPDATE eventbridge_rules SET state = 'DISABLED'").run();
    expect(store.deliveriesFor(event('a'))).toHaveLength(1);
    // Every write through the store drops them.
    store.setState('r', 'ENABLED');
    store.putRule({ name: 'r', eventPattern: '{"source":["aws.ec2"]}' });
    expect(store.deliveriesFor(event('a'))).toEqual([]);
    store.putRule({ name: 'r', eventPattern: S3_PATTERN });
    expect(store.deliveriesFor(event('a'))).toHaveLength(1);
    store.setState('r', 'DISABLED');
    expect(store.deliveriesFor(event('a'))).toEqual([]);
    store.setState('r', 'ENABLED');
    store.removeTargets('r', ['q']);
    expect(store.deliveriesFor(event('a'))).toEqual([]);
    store.putTargets('r', [{ id: 'q', arn: AUDIT }]);
    expect(store.deliveriesFor(event('a'))).toEqual([
      expect.objectContaining({ targetArn: AUDIT }),
    ]);
    store.deleteRule('r', { force: true });
    expect(store.deliveriesFor(event('a'))).toEqual([]);
  });

  it('finds its rules again after a restart', () => {
    store.putRule({ name: 'r', eventPattern: S3_PATTERN });
    store.putTargets('r', [{ id: 'q', arn: QUEUE }]);
    const again = new RuleStore({
      db,
      region: 'us-east-1',
      accountId: ACCOUNT,
      checkTarget: () => undefined,
    });
    expect(again.deliveriesFor(event('a'))).toHaveLength(1);
  });
});
