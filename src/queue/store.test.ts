import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageEngine } from '../storage/index.js';
import { QueueService } from './store.js';
import { QueueError, type QueueErrorCode } from './types.js';

const START = Date.UTC(2026, 0, 15, 12, 0, 0);
const ARN = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

let dataDir: string;
let engine: StorageEngine;
let clock: number;
let queues: QueueService;

function open(): QueueService {
  return new QueueService({
    db: engine.db,
    grouped: (work) => engine.grouped(work),
    region: 'us-east-1',
    accountId: '000000000000',
    now: () => clock,
  });
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-queue-'));
  engine = await StorageEngine.open({ dataDir, fsync: false });
  clock = START;
  queues = open();
});

afterEach(async () => {
  queues.close();
  engine.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown> | (() => unknown)): Promise<QueueError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (error instanceof QueueError) return error;
    throw error;
  }
  throw new Error('expected a QueueError');
}

async function expectCode(
  promise: Promise<unknown> | (() => unknown),
  code: QueueErrorCode,
  message?: string | RegExp,
): Promise<void> {
  const error = await failure(promise);
  expect(error.code).toBe(code);
  if (message !== undefined) expect(error.message).toMatch(message);
}

const advance = (seconds: number) => {
  clock += seconds * 1000;
};

describe('queues', () => {
  it('creates a queue with SQS defaults and reports every attribute for All', async () => {
    clock = START + 999;
    const { queue, created } = await queues.createQueue('jobs');
    expect(created).toBe(true);
    expect(queue.arn).toBe(ARN('jobs'));
    expect(queues.getAttributes('jobs', ['All'])).toEqual({
      QueueArn: ARN('jobs'),
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
      CreatedTimestamp: String(Math.floor((START + 999) / 1000)),
      LastModifiedTimestamp: String(Math.floor((START + 999) / 1000)),
      VisibilityTimeout: '30',
      MaximumMessageSize: '1048576',
      MessageRetentionPeriod: '345600',
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
    });
    expect(queues.getAttributes('jobs', [])).toEqual({});
    expect(queues.getAttributes('jobs', ['VisibilityTimeout'])).toEqual({
      VisibilityTimeout: '30',
    });
    await expectCode(
      () => queues.getAttributes('jobs', ['Bogus']),
      'InvalidAttributeName',
      'Unknown Attribute Bogus.',
    );
  });

  it('returns the existing queue when the given attributes match, and refuses a difference', async () => {
    await queues.createQueue('jobs', { DelaySeconds: '1', ReceiveMessageWaitTimeSeconds: '1' });
    expect((await queues.createQueue('jobs')).created).toBe(false);
    expect((await queues.createQueue('jobs', { DelaySeconds: '1' })).created).toBe(false);
    await expectCode(
      queues.createQueue('jobs', { ReceiveMessageWaitTimeSeconds: '1', DelaySeconds: '2' }),
      'QueueNameExists',
      'A queue already exists with the same name and a different value for attribute DelaySeconds',
    );
    // A default given explicitly differs from a non-default value.
    await expectCode(queues.createQueue('jobs', { DelaySeconds: '0' }), 'QueueNameExists');
  });

  it.each([
    ['', 'InvalidParameterValue'],
    ['a'.repeat(81), 'InvalidParameterValue'],
    ['has space', 'InvalidParameterValue'],
    ['dots.not.allowed', 'InvalidParameterValue'],
    ['orders.fifo', 'InvalidAttributeName'],
  ] as const)('refuses the queue name %j with %s', async (name, code) => {
    await expectCode(queues.createQueue(name), code);
  });

  it('accepts an 80-character name of letters, digits, hyphens and underscores', async () => {
    const name = `A-z_0${'9'.repeat(75)}`;
    expect((await queues.createQueue(name)).queue.name).toBe(name);
  });

  it.each([
    [
      { VisibilityTimeout: '43201' },
      'InvalidAttributeValue',
      'Invalid value for the parameter VisibilityTimeout.',
    ],
    [{ VisibilityTimeout: '-1' }, 'InvalidAttributeValue', undefined],
    [{ MessageRetentionPeriod: '59' }, 'InvalidAttributeValue', undefined],
    [{ MessageRetentionPeriod: '1209601' }, 'InvalidAttributeValue', undefined],
    [{ MaximumMessageSize: '1023' }, 'InvalidAttributeValue', undefined],
    [{ MaximumMessageSize: '1048577' }, 'InvalidAttributeValue', undefined],
    [{ DelaySeconds: '901' }, 'InvalidAttributeValue', undefined],
    [{ ReceiveMessageWaitTimeSeconds: '21' }, 'InvalidAttributeValue', undefined],
    [{ DelaySeconds: 'soon' }, 'InvalidAttributeValue', undefined],
    [{ Colour: 'blue' }, 'InvalidAttributeName', 'Unknown Attribute Colour.'],
    [{ QueueArn: 'arn:aws:sqs:us-east-1:000000000000:x' }, 'InvalidAttributeName', undefined],
    [{ FifoQueue: 'true' }, 'InvalidAttributeName', /standard queues only/],
    [{ ContentBasedDeduplication: 'true' }, 'InvalidAttributeName', /FIFO/],
    [{ Policy: '{}' }, 'InvalidAttributeName', /Unknown Attribute Policy/],
    [{ RedrivePolicy: 'nope' }, 'InvalidParameterValue', /not a valid JSON map/],
    [
      { RedrivePolicy: '{"deadLetterTargetArn":"dummy","maxReceiveCount":42}' },
      'InvalidParameterValue',
      'Value {"deadLetterTargetArn":"dummy","maxReceiveCount":42} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.',
    ],
    [
      { RedrivePolicy: `{"deadLetterTargetArn":"${ARN('dlq')}","maxReceiveCount":0}` },
      'InvalidParameterValue',
      /Invalid value for maxReceiveCount/,
    ],
    [
      { RedrivePolicy: `{"deadLetterTargetArn":"${ARN('missing')}","maxReceiveCount":3}` },
      'InvalidParameterValue',
      /Dead letter target does not exist/,
    ],
  ] as const)('refuses the attributes %j', async (attributes, code, message) => {
    await queues.createQueue('dlq');
    await expectCode(queues.createQueue('jobs', attributes), code, message);
    expect(queues.exists('jobs')).toBe(false);
  });

  it('accepts FifoQueue=false, which is what a standard queue is', async () => {
    expect((await queues.createQueue('jobs', { FifoQueue: 'false' })).created).toBe(true);
  });

  it('sets attributes, updates LastModifiedTimestamp, and removes a redrive policy with ""', async () => {
    await queues.createQueue('dlq');
    await queues.createQueue('jobs');
    advance(10);
    const policy = `{"deadLetterTargetArn":"${ARN('dlq')}","maxReceiveCount":"5"}`;
    await queues.setAttributes('jobs', { VisibilityTimeout: '60', RedrivePolicy: policy });
    const attributes = queues.getAttributes('jobs', ['All']);
    expect(attributes['VisibilityTimeout']).toBe('60');
    expect(JSON.parse(attributes['RedrivePolicy']!)).toEqual({
      deadLetterTargetArn: ARN('dlq'),
      maxReceiveCount: 5,
    });
    expect(Number(attributes['LastModifiedTimestamp'])).toBe(
      Number(attributes['CreatedTimestamp']) + 10,
    );
    await queues.setAttributes('jobs', { RedrivePolicy: '' });
    expect(queues.getAttributes('jobs', ['All'])['RedrivePolicy']).toBeUndefined();
    await expectCode(queues.setAttributes('missing', { DelaySeconds: '1' }), 'QueueDoesNotExist');
  });

  it('lists queues by prefix in binary order, paginated only when asked', async () => {
    for (const name of ['b-2', 'a-1', 'b-1', 'B-0', 'c']) await queues.createQueue(name);
    expect(queues.listQueues().names).toEqual(['B-0', 'a-1', 'b-1', 'b-2', 'c']);
    expect(queues.listQueues('b-')).toEqual({ names: ['b-1', 'b-2'] });
    const first = queues.listQueues('', { maxResults: 2 });
    expect(first.names).toEqual(['B-0', 'a-1']);
    const second = queues.listQueues('', { maxResults: 2, nextToken: first.nextToken! });
    expect(second.names).toEqual(['b-1', 'b-2']);
    const third = queues.listQueues('', { maxResults: 2, nextToken: second.nextToken! });
    expect(third).toEqual({ names: ['c'] });
    await expectCode(() => queues.listQueues('', { maxResults: 0 }), 'InvalidParameterValue');
    await expectCode(() => queues.listQueues('', { nextToken: '!!' }), 'InvalidParameterValue');
  });

  it('deletes a queue with its messages; a second delete finds no queue', async () => {
    await queues.createQueue('jobs');
    await queues.send('jobs', 'hello');
    await queues.deleteQueue('jobs');
    await expectCode(queues.deleteQueue('jobs'), 'QueueDoesNotExist');
    await expectCode(() => queues.getAttributes('jobs', ['All']), 'QueueDoesNotExist');
    await queues.createQueue('jobs');
    expect(await queues.receive('jobs')).toEqual([]);
  });
});

describe('messages', () => {
  beforeEach(async () => {
    await queues.createQueue('jobs');
  });

  it('deletes the messages whose JSON body has a value at a field, received or not', async () => {
    await queues.send('jobs', JSON.stringify({ reviewItemId: 7, key: 'a' }));
    await queues.send('jobs', JSON.stringify({ reviewItemId: 8, key: 'b' }));
    await queues.send('jobs', 'not json');
    await queues.send('jobs', JSON.stringify({ reviewItemId: 7, key: 'a, again' }));
    // The oldest (a match) in flight: deleted all the same.
    await queues.receive('jobs', { maxNumberOfMessages: 1 });
    expect(await queues.deleteByBodyField('jobs', 'reviewItemId', 7)).toBe(2);
    expect(await queues.deleteByBodyField('jobs', 'reviewItemId', 7)).toBe(0);
    expect(
      queues.getAttributes('jobs', [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
      ]),
    ).toEqual({ ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('sends, receives and deletes a message with SQS MD5s', async () => {
    const sent = await queues.send('jobs', 'msg');
    expect(sent.md5OfMessageBody).toBe('6e2baaf3b97dbeef01c0043275f9a0e7');
    expect(sent.md5OfMessageAttributes).toBeUndefined();
    const [message] = await queues.receive('jobs', { attributeNames: ['All'] });
    expect(message).toMatchObject({
      messageId: sent.messageId,
      body: 'msg',
      md5OfBody: '6e2baaf3b97dbeef01c0043275f9a0e7',
      attributes: {
        SenderId: '000000000000',
        SentTimestamp: String(START),
        ApproximateReceiveCount: '1',
        ApproximateFirstReceiveTimestamp: String(START),
      },
    });
    await queues.delete('jobs', message!.receiptHandle);
    expect(queues.getAttributes('jobs', ['ApproximateNumberOfMessagesNotVisible'])).toEqual({
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    // Deleting a message that is already gone succeeds, as SQS deletes do.
    await queues.delete('jobs', message!.receiptHandle);
  });

  it('returns only the system attributes asked for', async () => {
    await queues.send('jobs', 'msg', {
      traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793',
      messageGroupId: 'tenant-1',
    });
    const [message] = await queues.receive('jobs', {
      attributeNames: ['ApproximateReceiveCount', 'MessageGroupId', 'Unknown'],
    });
    expect(message!.attributes).toEqual({
      ApproximateReceiveCount: '1',
      MessageGroupId: 'tenant-1',
    });
    await queues.changeVisibility('jobs', message!.receiptHandle, 0);
    const [again] = await queues.receive('jobs', { attributeNames: ['All'] });
    expect(again!.attributes['AWSTraceHeader']).toBe('Root=1-5759e988-bd862e3fe1be46a994272793');
    expect((await queues.receive('jobs')).length).toBe(0);
  });

  it('hands messages out in send order, up to MaxNumberOfMessages at a time', async () => {
    const bodies = Array.from({ length: 25 }, (_, i) => `message ${i}`);
    for (const body of bodies) await queues.send('jobs', body);
    const received: string[] = [];
    for (;;) {
      const batch = await queues.receive('jobs', { maxNumberOfMessages: 10 });
      if (batch.length === 0) break;
      expect(batch.length).toBeLessThanOrEqual(10);
      received.push(...batch.map((m) => m.body));
    }
    expect(received).toEqual(bodies);
  });

  it('issues a new receipt handle on every receive; the superseded one has expired', async () => {
    await queues.send('jobs', 'msg');
    const [first] = await queues.receive('jobs', { visibilityTimeout: 5 });
    advance(5);
    const [second] = await queues.receive('jobs');
    expect(second!.receiptHandle).not.toBe(first!.receiptHandle);
    expect(second!.messageId).toBe(first!.messageId);
    await expectCode(
      queues.delete('jobs', first!.receiptHandle),
      'InvalidParameterValue',
      `Value ${first!.receiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
    );
    await expectCode(
      queues.changeVisibility('jobs', first!.receiptHandle, 0),
      'InvalidParameterValue',
      /expired/,
    );
    expect(queues.getAttributes('jobs', ['ApproximateNumberOfMessagesNotVisible'])).toEqual({
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    await queues.delete('jobs', second!.receiptHandle);
    expect((await queues.receive('jobs')).length).toBe(0);
  });

  it('refuses receipt handles it did not issue for this queue', async () => {
    await queues.createQueue('other');
    await queues.send('other', 'msg');
    const [message] = await queues.receive('other');
    await expectCode(
      queues.delete('jobs', 'not-a-handle'),
      'ReceiptHandleIsInvalid',
      'The input receipt handle "not-a-handle" is not a valid receipt handle.',
    );
    await expectCode(queues.delete('jobs', message!.receiptHandle), 'ReceiptHandleIsInvalid');
    await expectCode(
      queues.changeVisibility('jobs', message!.receiptHandle, 10),
      'ReceiptHandleIsInvalid',
    );
  });

  it('makes an undeleted message visible again after the visibility timeout, counting receives', async () => {
    await queues.send('jobs', 'msg');
    const [first] = await queues.receive('jobs', { attributeNames: ['All'] });
    advance(29);
    expect(await queues.receive('jobs')).toEqual([]);
    expect(
      queues.getAttributes('jobs', [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
      ]),
    ).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    advance(1);
    const [second] = await queues.receive('jobs', {
      attributeNames: ['All'],
      visibilityTimeout: 100,
    });
    expect(second!.attributes['ApproximateReceiveCount']).toBe('2');
    expect(second!.attributes['ApproximateFirstReceiveTimestamp']).toBe(
      first!.attributes['ApproximateFirstReceiveTimestamp'],
    );
    advance(99);
    expect(await queues.receive('jobs')).toEqual([]);
    advance(1);
    expect((await queues.receive('jobs')).length).toBe(1);
  });

  it('changes visibility: 0 makes the message visible now, and only in-flight messages change', async () => {
    await queues.send('jobs', 'msg');
    const [message] = await queues.receive('jobs');
    await queues.changeVisibility('jobs', message!.receiptHandle, 300);
    advance(299);
    expect(await queues.receive('jobs')).toEqual([]);
    await queues.changeVisibility('jobs', message!.receiptHandle, 0);
    const [again] = await queues.receive('jobs', { visibilityTimeout: 10 });
    expect(again!.messageId).toBe(message!.messageId);
    advance(10);
    await expectCode(
      queues.changeVisibility('jobs', again!.receiptHandle, 5),
      'MessageNotInflight',
    );
  });

  it('caps a message’s visibility at 12 hours from its receive', async () => {
    await queues.send('jobs', 'msg');
    const [message] = await queues.receive('jobs', { visibilityTimeout: 43_200 });
    advance(3600);
    await expectCode(
      queues.changeVisibility('jobs', message!.receiptHandle, 43_200),
      'InvalidParameterValue',
      'Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
    );
    await queues.changeVisibility('jobs', message!.receiptHandle, 39_600);
    await queues.delete('jobs', message!.receiptHandle);
    await expectCode(
      queues.changeVisibility('jobs', message!.receiptHandle, 5),
      'InvalidParameterValue',
      /Message does not exist or is not available for visibility timeout change/,
    );
  });

  it('delays messages by the queue default or per message, and counts them as delayed', async () => {
    await queues.setAttributes('jobs', { DelaySeconds: '10' });
    await queues.send('jobs', 'queue default');
    await queues.send('jobs', 'no delay', { delaySeconds: 0 });
    await queues.send('jobs', 'longer', { delaySeconds: 20 });
    expect(
      queues.getAttributes('jobs', [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesDelayed',
      ]),
    ).toEqual({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesDelayed: '2',
    });
    expect((await queues.receive('jobs', { maxNumberOfMessages: 10 })).map((m) => m.body)).toEqual([
      'no delay',
    ]);
    advance(10);
    expect((await queues.receive('jobs', { maxNumberOfMessages: 10 })).map((m) => m.body)).toEqual([
      'queue default',
    ]);
    advance(10);
    expect((await queues.receive('jobs', { maxNumberOfMessages: 10 })).map((m) => m.body)).toEqual([
      'longer',
    ]);
  });

  it('removes messages older than the retention period, in flight or not', async () => {
    await queues.setAttributes('jobs', { MessageRetentionPeriod: '60' });
    await queues.send('jobs', 'old');
    await queues.receive('jobs');
    advance(30);
    await queues.send('jobs', 'young');
    advance(30);
    expect(
      queues.getAttributes('jobs', [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
      ]),
    ).toEqual({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    expect(await queues.removeExpired()).toBe(1);
    expect((await queues.receive('jobs', { maxNumberOfMessages: 10 })).map((m) => m.body)).toEqual([
      'young',
    ]);
    advance(30);
    expect(await queues.receive('jobs')).toEqual([]);
  });

  it('moves a message received more than maxReceiveCount times to the dead-letter queue', async () => {
    await queues.createQueue('dlq');
    await queues.setAttributes('jobs', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: ARN('dlq'), maxReceiveCount: 2 }),
      VisibilityTimeout: '1',
    });
    const sent = await queues.send('jobs', 'poison');
    await queues.send('jobs', 'fine', { delaySeconds: 5 });
    expect((await queues.receive('jobs')).length).toBe(1);
    advance(1);
    expect((await queues.receive('jobs')).length).toBe(1);
    advance(1);
    expect(await queues.receive('jobs')).toEqual([]);
    expect(queues.getAttributes('dlq', ['ApproximateNumberOfMessages'])).toEqual({
      ApproximateNumberOfMessages: '1',
    });
    const [dead] = await queues.receive('dlq', { attributeNames: ['All'] });
    expect(dead).toMatchObject({
      messageId: sent.messageId,
      body: 'poison',
      attributes: {
        ApproximateReceiveCount: '3',
        SentTimestamp: String(START),
        DeadLetterQueueSourceArn: ARN('jobs'),
      },
    });
    advance(5);
    expect((await queues.receive('jobs')).map((m) => m.body)).toEqual(['fine']);
  });

  it('keeps delivering when the dead-letter queue was deleted', async () => {
    await queues.createQueue('dlq');
    await queues.setAttributes('jobs', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: ARN('dlq'), maxReceiveCount: 1 }),
    });
    await queues.deleteQueue('dlq');
    await queues.send('jobs', 'msg');
    await queues.receive('jobs', { visibilityTimeout: 0 });
    expect(
      (await queues.receive('jobs', { attributeNames: ['ApproximateReceiveCount'] }))[0]!
        .attributes,
    ).toEqual({
      ApproximateReceiveCount: '2',
    });
  });

  it('purges a queue at most once every 60 seconds', async () => {
    await queues.send('jobs', 'a');
    await queues.send('jobs', 'b');
    await queues.purge('jobs');
    expect(await queues.receive('jobs')).toEqual([]);
    advance(59);
    await expectCode(
      queues.purge('jobs'),
      'PurgeQueueInProgress',
      'Only one PurgeQueue operation on jobs is allowed every 60 seconds.',
    );
    advance(1);
    await queues.purge('jobs');
    await expectCode(queues.purge('missing'), 'QueueDoesNotExist');
  });

  it('validates bodies: present, in SQS’s character set, within MaximumMessageSize', async () => {
    await expectCode(
      queues.send('jobs', ''),
      'MissingParameter',
      'The request must contain the parameter MessageBody.',
    );
    for (const bad of ['\u0000', 'a\u0008b', '\uFFFE', '\uD800 lone surrogate']) {
      await expectCode(queues.send('jobs', bad), 'InvalidMessageContents');
    }
    await queues.send('jobs', 'tab\tnewline\ncr\r emoji 😀 \uE000 \uFFFD');
    await queues.setAttributes('jobs', { MaximumMessageSize: '1024' });
    await queues.send('jobs', 'x'.repeat(1024));
    await expectCode(
      queues.send('jobs', 'x'.repeat(1025)),
      'InvalidParameterValue',
      'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
    );
    // Attribute names, types and values count towards the size.
    await expectCode(
      queues.send('jobs', 'x'.repeat(1000), {
        messageAttributes: { a: { DataType: 'String', StringValue: 'y'.repeat(20) } },
      }),
      'InvalidParameterValue',
    );
    await expectCode(queues.send('missing', 'x'), 'QueueDoesNotExist');
  });

  it.each([
    [
      { maxNumberOfMessages: 0 },
      'Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    ],
    [
      { maxNumberOfMessages: 11 },
      'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    ],
    [{ waitTimeSeconds: 21 }, /WaitTimeSeconds/],
    [{ waitTimeSeconds: -1 }, /WaitTimeSeconds/],
    [{ visibilityTimeout: 43_201 }, /VisibilityTimeout/],
  ] as const)('refuses the receive options %j', async (options, message) => {
    await expectCode(queues.receive('jobs', options), 'InvalidParameterValue', message);
  });

  it('refuses out-of-range delays and visibility changes', async () => {
    await expectCode(
      queues.send('jobs', 'x', { delaySeconds: 901 }),
      'InvalidParameterValue',
      /DelaySeconds/,
    );
    await queues.send('jobs', 'x');
    const [message] = await queues.receive('jobs');
    await expectCode(
      queues.changeVisibility('jobs', message!.receiptHandle, 43_201),
      'InvalidParameterValue',
      /VisibilityTimeout/,
    );
  });

  it('stores message attributes and returns those asked for, with their MD5', async () => {
    const attributes = {
      General: { DataType: 'String', StringValue: 'Kenobi' },
      Hello: { DataType: 'String', StringValue: 'There' },
      'Help.Me': { DataType: 'String', StringValue: 'Me' },
      Bytes: { DataType: 'Binary.gif', BinaryValue: Uint8Array.of(0, 1, 254, 255) },
      Count: { DataType: 'Number', StringValue: '-12.5e3' },
    };
    const sent = await queues.send('jobs', 'msg', { messageAttributes: attributes });
    expect(sent.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const receive = async (names: string[]) => {
      const [message] = await queues.receive('jobs', {
        messageAttributeNames: names,
        visibilityTimeout: 0,
      });
      return message!;
    };
    const all = await receive(['All']);
    expect(all.md5OfMessageAttributes).toBe(sent.md5OfMessageAttributes);
    expect(all.messageAttributes!['Bytes']!.BinaryValue).toEqual(Buffer.from([0, 1, 254, 255]));
    expect((await receive(['.*'])).md5OfMessageAttributes).toBe(sent.md5OfMessageAttributes);
    // Digests recorded from Amazon SQS for these selections.
    const some = await receive(['General', 'Hello']);
    expect(Object.keys(some.messageAttributes!)).toEqual(['General', 'Hello']);
    expect(some.md5OfMessageAttributes).toBe('fca026605781cb4126a1e9044df24232');
    expect((await receive(['Foo', 'Hello'])).md5OfMessageAttributes).toBe(
      'a311262e065454b75da111d535b8dacd',
    );
    expect((await receive(['Hel.*'])).md5OfMessageAttributes).toBe(
      '83fee93c1bcd8b9a5a923ffacdc636c7',
    );
    expect(Object.keys((await receive(['Help.*', 'Co.*'])).messageAttributes!)).toEqual([
      'Help.Me',
      'Count',
    ]);
    expect((await receive(['*'])).md5OfMessageAttributes).toBe(sent.md5OfMessageAttributes);
    const none = await receive(['Foo', 'Help', 'AWS.', '..foo']);
    expect(none.messageAttributes).toBeUndefined();
    expect(none.md5OfMessageAttributes).toBeUndefined();
    expect((await receive([])).messageAttributes).toBeUndefined();
  });

  it.each([
    [{ 'AWS.reserved': { DataType: 'String', StringValue: 'x' } }, /invalid/],
    [{ '.dot': { DataType: 'String', StringValue: 'x' } }, /invalid/],
    [{ 'a..b': { DataType: 'String', StringValue: 'x' } }, /invalid/],
    [{ 'bad name': { DataType: 'String', StringValue: 'x' } }, /invalid/],
    [
      { a: { DataType: 'Text', StringValue: 'x' } },
      /supported type prefixes is Binary, Number, and String/,
    ],
    [{ a: { DataType: 'String', StringValue: '' } }, /non-empty/],
    [{ a: { DataType: 'String' } }, /non-empty/],
    [{ a: { DataType: 'Binary', StringValue: 'x' } }, /Binary/],
    [{ a: { DataType: 'Number', StringValue: 'twelve' } }, /number/],
    [{ a: { DataType: 'Number', StringValue: '1'.repeat(39) } }, /number/],
    [
      Object.fromEntries(
        Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'x' }]),
      ),
      /\[11\] exceeds the allowed maximum \[10\]/,
    ],
  ])('refuses the message attributes %j', async (messageAttributes, message) => {
    await expectCode(
      queues.send('jobs', 'msg', { messageAttributes }),
      'InvalidParameterValue',
      message,
    );
  });

  it('runs batch entries independently in one transaction', async () => {
    const sent = await queues.sendBatch('jobs', [
      { body: 'a' },
      { body: '' },
      { body: 'c', options: { delaySeconds: 0 } },
    ]);
    expect(sent.map((o) => o.ok)).toEqual([true, false, true]);
    const messages = await queues.receive('jobs', { maxNumberOfMessages: 10 });
    expect(messages.map((m) => m.body)).toEqual(['a', 'c']);
    const deleted = await queues.deleteBatch('jobs', [messages[0]!.receiptHandle, 'garbage']);
    expect(deleted[0]).toEqual({ ok: true, value: undefined });
    expect(deleted[1]!.ok ? undefined : deleted[1]!.error.code).toBe('ReceiptHandleIsInvalid');
    const changed = await queues.changeVisibilityBatch('jobs', [
      { receiptHandle: messages[1]!.receiptHandle, visibilityTimeout: 0 },
      { receiptHandle: messages[0]!.receiptHandle, visibilityTimeout: 0 },
    ]);
    expect(changed[0]!.ok).toBe(true);
    expect(changed[1]!.ok ? undefined : changed[1]!.error.code).toBe('InvalidParameterValue');
    expect((await queues.receive('jobs')).map((m) => m.body)).toEqual(['c']);
    await expectCode(queues.sendBatch('missing', [{ body: 'x' }]), 'QueueDoesNotExist');
  });

  it('keeps messages across a close and reopen of the database', async () => {
    await queues.send('jobs', 'durable');
    const [received] = await queues.receive('jobs', { visibilityTimeout: 5 });
    queues.close();
    engine.close();
    engine = await StorageEngine.open({ dataDir, fsync: false });
    queues = open();
    expect(await queues.receive('jobs')).toEqual([]);
    advance(5);
    const [again] = await queues.receive('jobs', { attributeNames: ['ApproximateReceiveCount'] });
    expect(again).toMatchObject({
      messageId: received!.messageId,
      body: 'durable',
      attributes: { ApproximateReceiveCount: '2' },
    });
  });
});

describe('sendInTransaction', () => {
  beforeEach(async () => {
    await queues.createQueue('jobs');
  });

  it('inserts within the caller’s transaction: rolled back with it, committed with it', async () => {
    expect(() =>
      engine.transaction(() => {
        queues.sendInTransaction('jobs', 'rolled back');
        throw new Error('caller fails after the insert');
      }),
    ).toThrow('caller fails');
    const sent = engine.transaction(() => queues.sendInTransaction('jobs', 'committed'));
    expect(sent.md5OfMessageBody).toMatch(/^[0-9a-f]{32}$/);
    expect((await queues.receive('jobs', { maxNumberOfMessages: 10 })).map((m) => m.body)).toEqual([
      'committed',
    ]);
    expect(() => engine.transaction(() => queues.sendInTransaction('missing', 'x'))).toThrow(
      QueueError,
    );
  });

  it('wakes a long poll once the caller’s transaction has committed', async () => {
    const polling = queues.receive('jobs', { waitTimeSeconds: 5 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    engine.transaction(() => queues.sendInTransaction('jobs', 'from the dispatcher'));
    const sentAt = performance.now();
    const [message] = await polling;
    expect(message!.body).toBe('from the dispatcher');
    expect(performance.now() - sentAt).toBeLessThan(100);
  });
});

describe('long polling', () => {
  beforeEach(async () => {
    await queues.createQueue('jobs');
  });

  it('returns as soon as a message is sent', async () => {
    const polling = queues.receive('jobs', { waitTimeSeconds: 10 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sentAt = performance.now();
    await queues.send('jobs', 'now');
    const [message] = await polling;
    expect(message!.body).toBe('now');
    expect(performance.now() - sentAt).toBeLessThan(100);
  });

  it('returns empty when the wait time is up, using the queue default when not given', async () => {
    await queues.setAttributes('jobs', { ReceiveMessageWaitTimeSeconds: '1' });
    const started = performance.now();
    expect(await queues.receive('jobs')).toEqual([]);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(990);
    expect(waited).toBeLessThan(1500);
    const immediate = performance.now();
    expect(await queues.receive('jobs', { waitTimeSeconds: 0 })).toEqual([]);
    expect(performance.now() - immediate).toBeLessThan(100);
  });

  it('returns when a message becomes visible again through a visibility change to 0', async () => {
    await queues.send('jobs', 'msg');
    const [message] = await queues.receive('jobs');
    const polling = queues.receive('jobs', { waitTimeSeconds: 10 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await queues.changeVisibility('jobs', message!.receiptHandle, 0);
    expect((await polling).map((m) => m.messageId)).toEqual([message!.messageId]);
  });

  it('ends when the signal aborts or the service closes, receiving nothing', async () => {
    const controller = new AbortController();
    const aborted = queues.receive('jobs', { waitTimeSeconds: 20, signal: controller.signal });
    const closed = queues.receive('jobs', { waitTimeSeconds: 20 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    controller.abort();
    expect(await aborted).toEqual([]);
    queues.close();
    expect(await closed).toEqual([]);
    expect(performance.now() - started).toBeLessThan(100);
  });
});
