/**
 * `@aws-sdk/client-eventbridge` against a real listening Vigil: the rules of the default bus
 * through their whole lifecycle and every error Vigil answers, then S3 events of a bucket
 * with an EventBridgeConfiguration routed by those rules to Vigil queues (read back with
 * `@aws-sdk/client-sqs`).
 */
import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  LimitExceededException,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceNotFoundException,
  TestEventPatternCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/index.js';
import { bucketName, startTestVigil, type TestVigil } from './support/vigil.js';
import { until } from './support/until.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const ruleArn = (name: string) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`;
const S3_CREATED = JSON.stringify({ source: ['aws.s3'], 'detail-type': ['Object Created'] });

let t: TestVigil;
let events: EventBridgeClient;
let sqs: SQSClient;

beforeAll(async () => {
  t = await startTestVigil({
    config: {
      seed: false,
      queues: [{ name: 'eb-a' }, { name: 'eb-b' }, { name: 'eb-life' }],
      eventBridge: {
        rules: [
          {
            name: 'from-config',
            description: 'declared in the config file',
            eventPattern: {
              source: ['aws.s3'],
              detail: { object: { key: [{ prefix: 'config/' }] } },
            },
            targets: [{ id: 'b', arn: queueArn('eb-b'), input: { rule: 'from-config' } }],
          },
        ],
      },
      delivery: { backoffBaseMs: 20, backoffMaxMs: 200, pollIntervalMs: 50 },
    },
  });
  const credentials = { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey };
  // One attempt: the SDK retries LimitExceededException as throttling, which only slows the
  // test that provokes it.
  events = new EventBridgeClient({ endpoint: t.url, region: REGION, credentials, maxAttempts: 1 });
  sqs = new SQSClient({ endpoint: t.url, region: REGION, credentials });
});

afterAll(async () => {
  events?.destroy();
  sqs?.destroy();
  await t?.stop();
});

/** The error a command fails with. */
async function failure(promise: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { name: string };
  }
  throw new Error('expected the command to fail');
}

describe('rules of the default bus, through @aws-sdk/client-eventbridge', () => {
  it('creates, describes, lists, updates, disables and deletes a rule', async () => {
    const created = await events.send(
      new PutRuleCommand({ Name: 'life-1', EventPattern: S3_CREATED, Description: 'first' }),
    );
    expect(created.RuleArn).toBe(ruleArn('life-1'));
    const described = await events.send(new DescribeRuleCommand({ Name: 'life-1' }));
    expect(described).toMatchObject({
      Name: 'life-1',
      Arn: ruleArn('life-1'),
      EventPattern: S3_CREATED,
      State: 'ENABLED',
      Description: 'first',
      EventBusName: 'default',
      CreatedBy: ACCOUNT,
    });

    for (const name of ['life-2', 'life-3'])
      await events.send(new PutRuleCommand({ Name: name, EventPattern: S3_CREATED }));
    const first = await events.send(new ListRulesCommand({ NamePrefix: 'life-', Limit: 2 }));
    expect(first.Rules?.map((r) => r.Name)).toEqual(['life-1', 'life-2']);
    expect(first.Rules?.[0]).toEqual({
      Name: 'life-1',
      Arn: ruleArn('life-1'),
      EventPattern: S3_CREATED,
      State: 'ENABLED',
      Description: 'first',
      EventBusName: 'default',
    });
    const second = await events.send(
      new ListRulesCommand({ NamePrefix: 'life-', Limit: 2, NextToken: first.NextToken! }),
    );
    expect(second.Rules?.map((r) => r.Name)).toEqual(['life-3']);
    expect(second.NextToken).toBeUndefined();
    const all = await events.send(new ListRulesCommand({}));
    expect(all.Rules?.map((r) => r.Name)).toEqual(['from-config', 'life-1', 'life-2', 'life-3']);

    await events.send(new DisableRuleCommand({ Name: 'life-1' }));
    expect((await events.send(new DescribeRuleCommand({ Name: 'life-1' }))).State).toBe('DISABLED');
    await events.send(new EnableRuleCommand({ Name: 'life-1', EventBusName: 'default' }));
    expect((await events.send(new DescribeRuleCommand({ Name: 'life-1' }))).State).toBe('ENABLED');

    await events.send(
      new PutTargetsCommand({ Rule: 'life-1', Targets: [{ Id: 'q', Arn: queueArn('eb-life') }] }),
    );
    // PutRule replaces the rule whole (no Description now) and keeps its targets.
    await events.send(
      new PutRuleCommand({ Name: 'life-1', EventPattern: S3_CREATED, State: 'DISABLED' }),
    );
    const replaced = await events.send(new DescribeRuleCommand({ Name: 'life-1' }));
    expect(replaced.State).toBe('DISABLED');
    expect(replaced.Description).toBeUndefined();
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: 'life-1' }))).Targets).toEqual([
      { Id: 'q', Arn: queueArn('eb-life') },
    ]);

    const refused = await failure(events.send(new DeleteRuleCommand({ Name: 'life-1' })));
    expect(refused.name).toBe('ValidationException');
    expect(refused.message).toBe("Rule can't be deleted since it has targets.");
    await events.send(new DeleteRuleCommand({ Name: 'life-1', Force: true }));
    await events.send(new DeleteRuleCommand({ Name: 'life-1' })); // deleting again succeeds
    const gone = await failure(events.send(new DescribeRuleCommand({ Name: 'life-1' })));
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone.message).toBe('Rule life-1 does not exist on EventBus default.');
    for (const name of ['life-2', 'life-3'])
      await events.send(new DeleteRuleCommand({ Name: name }));
  });

  it('adds, replaces, lists and removes targets, answering bad entries as FailedEntries', async () => {
    await events.send(new PutRuleCommand({ Name: 'targets', EventPattern: S3_CREATED }));
    const put = await events.send(
      new PutTargetsCommand({
        Rule: 'targets',
        Targets: [
          { Id: 'whole', Arn: queueArn('eb-life') },
          { Id: 'detail', Arn: queueArn('eb-life'), InputPath: '$.detail' },
          { Id: 'missing', Arn: queueArn('no-such-queue') },
          { Id: 'elsewhere', Arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/x' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(2);
    expect(put.FailedEntries).toEqual([
      {
        TargetId: 'missing',
        ErrorCode: 'ValidationException',
        ErrorMessage: `The destination queue does not exist: ${queueArn('no-such-queue')}`,
      },
      {
        TargetId: 'elsewhere',
        ErrorCode: 'ValidationException',
        ErrorMessage: expect.stringMatching(
          /^Vigil delivers events only to its own queues/,
        ) as string,
      },
    ]);
    await events.send(
      new PutTargetsCommand({
        Rule: 'targets',
        Targets: [{ Id: 'whole', Arn: queueArn('eb-life'), Input: '{"constant":true}' }],
      }),
    );
    const listed = await events.send(new ListTargetsByRuleCommand({ Rule: 'targets', Limit: 1 }));
    expect(listed.Targets).toEqual([
      { Id: 'whole', Arn: queueArn('eb-life'), Input: '{"constant":true}' },
    ]);
    const rest = await events.send(
      new ListTargetsByRuleCommand({ Rule: 'targets', NextToken: listed.NextToken! }),
    );
    expect(rest.Targets).toEqual([
      { Id: 'detail', Arn: queueArn('eb-life'), InputPath: '$.detail' },
    ]);

    const removed = await events.send(
      new RemoveTargetsCommand({ Rule: 'targets', Ids: ['whole', 'detail', 'never-added'] }),
    );
    expect(removed).toMatchObject({
      FailedEntryCount: 1,
      FailedEntries: [
        {
          TargetId: 'never-added',
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: "Rule 'targets' does not have a target with the Id 'never-added'.",
        },
      ],
    });
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: 'targets' }))).Targets).toEqual(
      [],
    );

    const six: Target[] = ['1', '2', '3', '4', '5', '6'].map((Id) => ({
      Id,
      Arn: queueArn('eb-life'),
    }));
    const limit = await failure(
      events.send(new PutTargetsCommand({ Rule: 'targets', Targets: six })),
    );
    expect(limit).toBeInstanceOf(LimitExceededException);
    expect(limit.message).toBe('The requested resource exceeds the maximum number allowed.');
    await events.send(new DeleteRuleCommand({ Name: 'targets' }));
  });

  it('answers EventBridge’s errors', async () => {
    const pattern = await failure(
      events.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"aws.s3"}' })),
    );
    expect(pattern).toBeInstanceOf(InvalidEventPatternException);
    expect(pattern.message).toMatch(/^Event pattern is not valid\. Reason: /);

    const bus = await failure(events.send(new ListRulesCommand({ EventBusName: 'orders' })));
    expect(bus).toBeInstanceOf(ResourceNotFoundException);
    expect(bus.message).toBe('Event bus orders does not exist.');
    const byArn = await events.send(
      new ListRulesCommand({
        EventBusName: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`,
        NamePrefix: 'from-',
      }),
    );
    expect(byArn.Rules?.map((r) => r.Name)).toEqual(['from-config']);

    const schedule = await failure(
      events.send(new PutRuleCommand({ Name: 'nightly', ScheduleExpression: 'cron(0 3 * * ? *)' })),
    );
    expect(schedule.name).toBe('ValidationException');
    expect(schedule.message).toMatch(/^Vigil does not run scheduled rules/);

    for (const command of [
      new DescribeRuleCommand({ Name: 'nope' }),
      new EnableRuleCommand({ Name: 'nope' }),
      new DisableRuleCommand({ Name: 'nope' }),
      new ListTargetsByRuleCommand({ Rule: 'nope' }),
      new PutTargetsCommand({ Rule: 'nope', Targets: [{ Id: 'q', Arn: queueArn('eb-life') }] }),
      new RemoveTargetsCommand({ Rule: 'nope', Ids: ['q'] }),
    ] as const) {
      const error = await failure(events.send(command as DescribeRuleCommand));
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.message).toBe('Rule nope does not exist on EventBus default.');
    }

    const name = await failure(
      events.send(new PutRuleCommand({ Name: 'has space', EventPattern: S3_CREATED })),
    );
    expect(name.name).toBe('ValidationException');
    expect(name.message).toContain("at 'name' failed to satisfy constraint");
  });

  it('tests patterns against events (TestEventPattern)', async () => {
    const event = JSON.stringify({
      id: '17793124-05d4-b198-2fde-7ededc63b103',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: ACCOUNT,
      time: '2026-01-02T03:04:05Z',
      region: REGION,
      resources: ['arn:aws:s3:::photos'],
      detail: { object: { key: 'a.png', size: 12 } },
    });
    const test = (EventPattern: string) =>
      events.send(new TestEventPatternCommand({ EventPattern, Event: event }));
    expect((await test('{"detail":{"object":{"key":[{"suffix":".png"}]}}}')).Result).toBe(true);
    expect((await test('{"detail":{"object":{"size":[{"numeric":[">",100]}]}}}')).Result).toBe(
      false,
    );
    const invalid = await failure(test('{"detail":{"object":{"size":[{"numeric":[">"]}]}}}'));
    expect(invalid).toBeInstanceOf(InvalidEventPatternException);
    const partial = await failure(
      events.send(
        new TestEventPatternCommand({ EventPattern: S3_CREATED, Event: '{"source":"aws.s3"}' }),
      ),
    );
    expect(partial.name).toBe('ValidationException');
    expect(partial.message).toMatch(/^Parameter Event is not valid\./);
  });
});

/** Receives messages of a queue until `count` have arrived, deleting them. */
async function drain(queue: string, count: number): Promise<string[]> {
  const url = `${t.url}/${ACCOUNT}/${queue}`;
  const bodies: string[] = [];
  const deadline = Date.now() + 10_000;
  while (bodies.length < count) {
    if (Date.now() > deadline) throw new Error(`got ${bodies.length} of ${count} from ${queue}`);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of Messages) {
      bodies.push(message.Body!);
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle! }),
      );
    }
  }
  return bodies;
}

interface BusEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: { bucket: { name: string }; object: { key: string; size?: number; etag?: string } };
}

describe('S3 events on the default bus, end to end', () => {
  it('routes a bucket’s events by rule pattern to Vigil queues', async () => {
    const rules: { name: string; pattern: object; target: Target; state?: 'DISABLED' }[] = [
      {
        name: 'images-prefix',
        pattern: {
          'detail-type': ['Object Created'],
          detail: { object: { key: [{ prefix: 'images/' }] } },
        },
        target: { Id: 'a', Arn: queueArn('eb-a') },
      },
      {
        name: 'large-objects',
        pattern: { source: ['aws.s3'], detail: { object: { size: [{ numeric: ['>=', 1000] }] } } },
        target: { Id: 'a', Arn: queueArn('eb-a'), InputPath: '$.detail' },
      },
      {
        name: 'png-suffix',
        pattern: { detail: { object: { key: [{ suffix: '.png' }] } } },
        target: { Id: 'b', Arn: queueArn('eb-b'), InputPath: '$.detail.object.key' },
      },
      {
        name: 'not-created',
        pattern: { source: ['aws.s3'], 'detail-type': [{ 'anything-but': 'Object Created' }] },
        target: { Id: 'b', Arn: queueArn('eb-b') },
      },
      {
        name: 'reports-wildcard',
        pattern: { detail: { object: { key: [{ wildcard: 'docs/*/report-*.txt' }] } } },
        target: { Id: 'b', Arn: queueArn('eb-b'), Input: '{"rule":"reports-wildcard"}' },
      },
      {
        name: 'no-etag',
        pattern: { source: ['aws.s3'], detail: { object: { etag: [{ exists: false }] } } },
        target: { Id: 'b', Arn: queueArn('eb-b'), Input: '{"rule":"no-etag"}' },
      },
      {
        name: 'everything-disabled',
        pattern: { source: ['aws.s3'] },
        target: { Id: 'a', Arn: queueArn('eb-a') },
        state: 'DISABLED',
      },
    ];
    for (const rule of rules) {
      await events.send(
        new PutRuleCommand({
          Name: rule.name,
          EventPattern: JSON.stringify(rule.pattern),
          ...(rule.state ? { State: rule.state } : {}),
        }),
      );
      const put = await events.send(
        new PutTargetsCommand({ Rule: rule.name, Targets: [rule.target] }),
      );
      expect(put.FailedEntryCount).toBe(0);
    }

    const bucket = bucketName('eventbridge');
    await t.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      }),
    );
    const put = (Key: string, size: number) =>
      t.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Buffer.alloc(size, 97) }));
    await put('images/cat.jpg', 10);
    await put('images/big.png', 2000);
    await put('docs/2026/report-q1.txt', 5);
    await put('notes/readme.md', 3);
    await t.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'notes/readme.md' }));
    await put('config/settings.json', 2);

    const a = (await drain('eb-a', 3)).map((body) => JSON.parse(body) as Record<string, unknown>);
    const wholeEvents = a.filter((m) => 'detail-type' in m) as unknown as BusEvent[];
    expect(wholeEvents.map((e) => e.detail.object.key).sort()).toEqual([
      'images/big.png',
      'images/cat.jpg',
    ]);
    for (const event of wholeEvents)
      expect(event).toMatchObject({
        version: '0',
        source: 'aws.s3',
        'detail-type': 'Object Created',
        account: ACCOUNT,
        region: REGION,
        resources: [`arn:aws:s3:::${bucket}`],
        detail: { bucket: { name: bucket }, reason: 'PutObject' },
      });
    // InputPath $.detail: the detail alone, no envelope.
    const details = a.filter((m) => !('detail-type' in m));
    expect(details).toEqual([
      expect.objectContaining({
        version: '0',
        bucket: { name: bucket },
        object: expect.objectContaining({ key: 'images/big.png', size: 2000 }) as object,
      }),
    ]);

    const b = await drain('eb-b', 5);
    const deleted = b
      .map((body) => JSON.parse(body) as unknown)
      .find((m): m is BusEvent => typeof m === 'object' && m !== null && 'detail-type' in m);
    expect(deleted).toMatchObject({
      source: 'aws.s3',
      'detail-type': 'Object Deleted',
      detail: {
        bucket: { name: bucket },
        object: { key: 'notes/readme.md' },
        'deletion-type': 'Permanently Deleted',
      },
    });
    expect(b.filter((body) => !body.includes('"detail-type"')).sort()).toEqual(
      [
        '"images/big.png"',
        '{"rule":"from-config"}',
        '{"rule":"no-etag"}',
        '{"rule":"reports-wildcard"}',
      ].sort(),
    );

    // Everything is delivered and nothing more is coming: the disabled rule sent nothing.
    await until(
      () => Promise.resolve(t.vigil.outbox.backlog().length === 0 ? true : undefined),
      10_000,
    );
    for (const queue of ['eb-a', 'eb-b']) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: `${t.url}/${ACCOUNT}/${queue}`, WaitTimeSeconds: 0 }),
      );
      expect(Messages).toEqual([]);
    }
  });
});

describe('rules in the config file', () => {
  const config = (queues: string[]) => ({
    seed: false,
    queues: queues.map((name) => ({ name })),
    eventBridge: {
      rules: [
        {
          name: 'uploads',
          eventPattern: '{"source":["aws.s3"]}',
          targets: [{ id: 'q', arn: queueArn('uploads'), inputPath: '$.detail' }],
        },
      ],
    },
  });

  it('fails start naming a target whose destination does not exist', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vigil-eventbridge-config-'));
    try {
      const start = startTestVigil({ dataDir, config: config([]) });
      await expect(start).rejects.toThrow(ConfigError);
      await expect(start).rejects.toThrow(
        `Invalid eventBridge.rules[0].targets[0].arn: The destination queue does not exist: ${queueArn('uploads')}`,
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('declares its rules at every start; a restart with the same file changes nothing', async () => {
    const first = await startTestVigil({ config: config(['uploads']) });
    const rows = (v: TestVigil) => ({
      rules: v.vigil.engine.db.prepare('SELECT * FROM eventbridge_rules').all(),
      targets: v.vigil.engine.db.prepare('SELECT rowid, * FROM eventbridge_targets').all(),
    });
    const before = rows(first);
    expect(before.rules).toHaveLength(1);
    await first.stop({ keepData: true });
    const again = await startTestVigil({ dataDir: first.dataDir, config: config(['uploads']) });
    try {
      expect(rows(again)).toEqual(before);
    } finally {
      await again.stop();
    }
  });
});
