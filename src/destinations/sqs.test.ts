/**
 * The SQS adapter: queue URLs, what SendMessage carries, and how SQS's answers are
 * classified — through the AWS SDK against a loopback server that answers as SQS does on
 * the wire (AWS JSON 1.0 with query-compatible error codes). Delivery to a real SQS API
 * (a second Vigil) is in test/sqs-destination.test.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../delivery/types.js';
import { parseDestinationArn } from '../events/index.js';
import { sqsDestination, sqsOutcome, sqsQueueUrl, sqsSendInput } from './sqs.js';

const arn = (text: string) => parseDestinationArn('queue', text)!;

function entry(key = 'photos/a.jpg'): OutboxEntry {
  return {
    id: 1,
    eventId: randomUUID(),
    destination: 'arn:aws:sqs:us-east-1:111122223333:events',
    bucket: 'photos',
    key,
    eventName: 'ObjectCreated:Put',
    body: '{"Records":[{"eventName":"ObjectCreated:Put"}]}',
    createdAt: Date.now(),
    attempts: 1,
    nextAttemptAt: 0,
    leaseUntil: null,
    state: 'pending',
    lastError: null,
    deadAt: null,
    traceHeader: null,
  };
}

describe('sqsQueueUrl', () => {
  it.each([
    [
      'arn:aws:sqs:eu-west-1:111122223333:events',
      undefined,
      'https://sqs.eu-west-1.amazonaws.com/111122223333/events',
    ],
    [
      'arn:aws-cn:sqs:cn-north-1:111122223333:events',
      undefined,
      'https://sqs.cn-north-1.amazonaws.com.cn/111122223333/events',
    ],
    [
      'arn:aws:sqs:us-east-1:111122223333:jobs.fifo',
      'http://127.0.0.1:4566/',
      'http://127.0.0.1:4566/111122223333/jobs.fifo',
    ],
  ])('%s (endpoint %s)', (text, endpoint, url) => {
    expect(sqsQueueUrl(arn(text), endpoint)).toBe(url);
  });
});

describe('sqsSendInput', () => {
  it('sends the body unchanged with the event id as an attribute', () => {
    const row = entry();
    expect(sqsSendInput('http://q', false, row)).toEqual({
      QueueUrl: 'http://q',
      MessageBody: row.body,
      MessageAttributes: { VigilEventId: { DataType: 'String', StringValue: row.eventId } },
    });
  });

  it('gives FIFO queues the event id to deduplicate on and one message group per key', () => {
    const row = entry('a/b.jpg');
    const input = sqsSendInput('http://q.fifo', true, row);
    expect(input.MessageDeduplicationId).toBe(row.eventId);
    expect(input.MessageGroupId).toBe(createHash('sha256').update('photos/a/b.jpg').digest('hex'));
    expect(sqsSendInput('http://q.fifo', true, { ...entry('a/b.jpg') }).MessageGroupId).toBe(
      input.MessageGroupId,
    );
    expect(sqsSendInput('http://q.fifo', true, entry('other')).MessageGroupId).not.toBe(
      input.MessageGroupId,
    );
  });
});

describe('sqsOutcome', () => {
  it('keeps a network error transient and names it', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
      $metadata: { attempts: 1 },
    });
    expect(sqsOutcome(error, 'http://q')).toEqual({
      ok: false,
      permanent: false,
      error: 'SendMessage to http://q failed: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1',
    });
  });
});

/** One SQS answer on the wire: status, the query error header, the JSON body. */
type Answer = [number, string | undefined, string];
const error = (status: number, query: string, type: string, message: string): Answer => [
  status,
  `${query};${status >= 500 ? 'Receiver' : 'Sender'}`,
  JSON.stringify({ __type: type, message }),
];

describe('SendMessage on the wire', () => {
  let server: Server;
  let endpoint: string;
  let answer: Answer;
  const requests: { target: string | undefined; body: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
        requests.push({ target: req.headers['x-amz-target'] as string | undefined, body });
        const [status, query, text] = answer;
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.0',
          ...(query ? { 'x-amzn-query-error': query } : {}),
        });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function destination() {
    return sqsDestination({
      arn: arn('arn:aws:sqs:us-east-1:111122223333:events'),
      endpoint,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG' },
      timeoutMs: 2000,
    });
  }

  it('is delivered once SQS answers with a MessageId', async () => {
    const row = entry();
    const md5 = createHash('md5').update(row.body).digest('hex');
    answer = [200, undefined, JSON.stringify({ MessageId: randomUUID(), MD5OfMessageBody: md5 })];
    const sqs = destination();
    try {
      if (sqs.adapter.kind !== 'async') throw new Error('expected an async adapter');
      expect(await sqs.adapter.deliver(row)).toEqual({ ok: true });
    } finally {
      sqs.close();
    }
    expect(requests.at(-1)).toEqual({
      target: 'AmazonSQS.SendMessage',
      body: {
        QueueUrl: `${endpoint}/111122223333/events`,
        MessageBody: row.body,
        MessageAttributes: { VigilEventId: { DataType: 'String', StringValue: row.eventId } },
      },
    });
  });

  it.each([
    [
      error(
        400,
        'AWS.SimpleQueueService.NonExistentQueue',
        'com.amazonaws.sqs#QueueDoesNotExist',
        'The specified queue does not exist.',
      ),
      true,
      'QueueDoesNotExist (AWS.SimpleQueueService.NonExistentQueue, 400): The specified queue does not exist.',
    ],
    [
      error(
        400,
        'AccessDenied',
        'com.amazon.coral.service#AccessDeniedException',
        'Access to the resource is denied.',
      ),
      true,
      'AccessDenied (400): Access to the resource is denied.',
    ],
    [
      error(400, 'KmsAccessDenied', 'com.amazonaws.sqs#KmsAccessDenied', 'no key for you'),
      true,
      'KmsAccessDenied (400): no key for you',
    ],
    [
      error(
        403,
        'InvalidClientTokenId',
        'com.amazon.coral.service#InvalidClientTokenIdException',
        'bad key',
      ),
      true,
      'InvalidClientTokenId (403): bad key',
    ],
    [
      error(400, 'RequestThrottled', 'com.amazonaws.sqs#RequestThrottled', 'slow down'),
      false,
      'RequestThrottled (400): slow down',
    ],
    [
      error(
        400,
        'ThrottlingException',
        'com.amazon.coral.availability#ThrottlingException',
        'Rate exceeded',
      ),
      false,
      'ThrottlingException (400): Rate exceeded',
    ],
    [
      error(500, 'InternalFailure', 'com.amazon.coral.service#InternalFailure', 'oops'),
      false,
      'InternalFailure (500): oops',
    ],
    [
      error(
        503,
        'ServiceUnavailable',
        'com.amazon.coral.service#ServiceUnavailableException',
        'busy',
      ),
      false,
      'ServiceUnavailable (503): busy',
    ],
  ])('%j → permanent %s', async (wire, permanent, message) => {
    answer = wire;
    const sqs = destination();
    try {
      if (sqs.adapter.kind !== 'async') throw new Error('expected an async adapter');
      expect(await sqs.adapter.deliver(entry())).toEqual({
        ok: false,
        permanent,
        error: `SendMessage to ${endpoint}/111122223333/events failed: ${message}`,
      });
    } finally {
      sqs.close();
    }
  });
});
