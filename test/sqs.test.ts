import { Sha256 } from '@aws-crypto/sha256-js';
import { openIdentity } from '../src/iam/index.js';
import type { SQSServiceException } from '@aws-sdk/client-sqs';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  InvalidMessageContents,
  ListQueuesCommand,
  PurgeQueueCommand,
  PurgeQueueInProgress,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
  TooManyEntriesInBatchRequest,
  BatchEntryIdsNotDistinct,
  InvalidBatchEntryId,
  UnsupportedOperation,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type VigilHttpServer } from '../src/http/server.js';
import { QueueService, createSqsRoute, md5OfMessageAttributes } from '../src/queue/index.js';
import { StorageEngine } from '../src/storage/index.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const CREDENTIALS = {
  accessKeyId: 'AKIAVIGILSQSTEST0001',
  secretAccessKey: 'sqs-test-secret-key-0123456789abcdef',
};

/** A real listening server: storage engine, queue service and the SQS route, nothing else. */
interface SqsServer {
  endpoint: string;
  client: SQSClient;
  newClient(overrides?: Partial<SQSClientConfig>): SQSClient;
  stop(): Promise<void>;
}

async function startSqsServer(dataDir: string): Promise<SqsServer> {
  const logger = pino({ level: process.env['VIGIL_TEST_LOG'] ?? 'silent' });
  const engine = await StorageEngine.open({ dataDir, fsync: true });
  const queues = new QueueService({
    db: engine.db,
    grouped: (work) => engine.grouped(work),
    region: REGION,
    accountId: ACCOUNT,
  });
  const http: VigilHttpServer = createHttpServer({
    s3: (_req, res) => {
      res.writeHead(404);
      res.end();
      return Promise.resolve();
    },
    routes: [
      createSqsRoute({
        queues,
        gate: openIdentity(engine, { accountId: ACCOUNT, root: CREDENTIALS }).gate,
        region: REGION,
        accountId: ACCOUNT,
        logger,
      }),
    ],
    logger,
  });
  const address = await http.listen(0, '127.0.0.1');
  const endpoint = `http://127.0.0.1:${address.port}`;
  const clients: SQSClient[] = [];
  const newClient = (overrides: Partial<SQSClientConfig> = {}) => {
    const client = new SQSClient({
      endpoint,
      region: REGION,
      credentials: CREDENTIALS,
      ...overrides,
    });
    clients.push(client);
    return client;
  };
  const client = newClient();
  return {
    endpoint,
    client,
    newClient,
    stop: async () => {
      for (const c of clients) c.destroy();
      queues.close();
      await http.shutdown(5000);
      engine.close();
    },
  };
}

async function errorOf(promise: Promise<unknown>): Promise<SQSServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as SQSServiceException;
  }
  throw new Error('expected the request to fail');
}

/** Sends a request signed by the real SigV4 signer for service sqs, for requests the SDK never makes. */
async function rawSqs(
  endpoint: string,
  target: string,
  body: string,
  options: { sign?: boolean; signal?: AbortSignal } = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const url = new URL(endpoint);
  let headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': target,
  };
  if (options.sign ?? true) {
    const signer = new SignatureV4({
      service: 'sqs',
      region: REGION,
      credentials: CREDENTIALS,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers,
      body,
    });
    headers = signed.headers;
  }
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers,
    body,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return {
    status: res.status,
    headers: res.headers,
    json: (await res.json()) as Record<string, unknown>,
  };
}

let dataDir: string;
let server: SqsServer;
let sqs: SQSClient;
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

async function createQueue(prefix: string, Attributes?: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: uniqueName(prefix), Attributes }),
  );
  return QueueUrl!;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-sqs-'));
  server = await startSqsServer(dataDir);
  sqs = server.client;
});

afterAll(async () => {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('queues through @aws-sdk/client-sqs', () => {
  it('creates a queue, gets its URL, lists it and reads its attributes', async () => {
    const name = uniqueName('orders');
    const created = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '45' } }),
    );
    expect(created.QueueUrl).toBe(`${server.endpoint}/${ACCOUNT}/${name}`);
    expect(created.$metadata.requestId).toMatch(/^[0-9A-F]{16}$/);
    const again = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '45' } }),
    );
    expect(again.QueueUrl).toBe(created.QueueUrl);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl).toBe(
      created.QueueUrl,
    );
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }));
    expect(listed.QueueUrls).toEqual([created.QueueUrl]);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: created.QueueUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({
      QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
      VisibilityTimeout: '45',
      MessageRetentionPeriod: '345600',
      MaximumMessageSize: '1048576',
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
    });
    expect(Number(Attributes!['CreatedTimestamp'])).toBeCloseTo(Date.now() / 1000, -1);
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: created.QueueUrl,
        Attributes: { DelaySeconds: '5' },
      }),
    );
    const delay = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: created.QueueUrl,
        AttributeNames: ['DelaySeconds'],
      }),
    );
    expect(delay.Attributes).toEqual({ DelaySeconds: '5' });
  });

  it('paginates ListQueues with MaxResults and NextToken', async () => {
    const prefix = uniqueName('page');
    for (const suffix of ['a', 'b', 'c']) {
      await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-${suffix}` }));
    }
    const first = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2 }));
    expect(first.QueueUrls?.map((u) => u.split('/').pop())).toEqual([`${prefix}-a`, `${prefix}-b`]);
    const second = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.QueueUrls?.map((u) => u.split('/').pop())).toEqual([`${prefix}-c`]);
    expect(second.NextToken).toBeUndefined();
    expect(
      (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'no-such-prefix' }))).QueueUrls,
    ).toBeUndefined();
  });

  it('refuses a different attribute for an existing name with QueueNameExists', async () => {
    const name = uniqueName('exists');
    await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: '1' } }));
    const error = await errorOf(
      sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: '2' } })),
    );
    expect(error).toBeInstanceOf(QueueNameExists);
    expect(error.message).toBe(
      'A queue already exists with the same name and a different value for attribute DelaySeconds',
    );
  });

  it('refuses FIFO queues clearly, as an unknown attribute', async () => {
    const error = await errorOf(
      sqs.send(
        new CreateQueueCommand({
          QueueName: uniqueName('orders') + '.fifo',
          Attributes: { FifoQueue: 'true' },
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidAttributeName);
    expect(error.message).toMatch(/standard queues only/);
  });

  it('deletes a queue; afterwards the SDK raises QueueDoesNotExist', async () => {
    const url = await createQueue('doomed');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'lost with the queue' }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const error = await errorOf(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })),
    );
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect(error.$metadata.httpStatusCode).toBe(400);
    const lookup = await errorOf(
      sqs.send(new GetQueueUrlCommand({ QueueName: url.split('/').pop()! })),
    );
    expect(lookup).toBeInstanceOf(QueueDoesNotExist);
    expect(await errorOf(sqs.send(new DeleteQueueCommand({ QueueUrl: url })))).toBeInstanceOf(
      QueueDoesNotExist,
    );
  });

  it('purges a queue, and refuses a second purge within 60 seconds', async () => {
    const url = await createQueue('purge');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    const error = await errorOf(sqs.send(new PurgeQueueCommand({ QueueUrl: url })));
    expect(error).toBeInstanceOf(PurgeQueueInProgress);
    expect(error.$metadata.httpStatusCode).toBe(403);
  });
});

describe('messages through @aws-sdk/client-sqs', () => {
  it('sends, receives and deletes, with the MD5s the SDK checks', async () => {
    const url = await createQueue('basic');
    const MessageAttributes = {
      Foo: { DataType: 'String', StringValue: 'Bar' },
      Size: { DataType: 'Number', StringValue: '42' },
      Raw: { DataType: 'Binary', BinaryValue: Uint8Array.of(0, 1, 2, 255) },
    };
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'héllo wörld 😀', MessageAttributes }),
    );
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.MD5OfMessageAttributes).toBe(md5OfMessageAttributes(MessageAttributes));
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const message = received.Messages![0]!;
    expect(message.Body).toBe('héllo wörld 😀');
    expect(message.MessageId).toBe(sent.MessageId);
    expect(message.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message.MessageAttributes!['Raw']!.BinaryValue).toEqual(Uint8Array.of(0, 1, 2, 255));
    expect(message.MessageAttributes!['Foo']).toEqual({ DataType: 'String', StringValue: 'Bar' });
    expect(message.Attributes).toMatchObject({
      ApproximateReceiveCount: '1',
      SenderId: CREDENTIALS.accessKeyId,
    });
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('matches the MD5OfMessageAttributes Amazon SQS computes', async () => {
    const url = await createQueue('md5');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'msg',
        MessageAttributes: { Foo: { DataType: 'String', StringValue: 'Bar' } },
      }),
    );
    expect(sent.MD5OfMessageBody).toBe('6e2baaf3b97dbeef01c0043275f9a0e7');
    expect(sent.MD5OfMessageAttributes).toBe('ae7155c6026991b6d54b11589678bf9c');
  });

  it('runs batch operations entry by entry', async () => {
    const url = await createQueue('batch');
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'one', MessageBody: 'first' },
          { Id: 'bad', MessageBody: 'nul \u0000 char' },
          { Id: 'two', MessageBody: 'second', DelaySeconds: 0 },
        ],
      }),
    );
    expect(sent.Successful?.map((e) => e.Id)).toEqual(['one', 'two']);
    expect(sent.Failed).toEqual([
      {
        Id: 'bad',
        SenderFault: true,
        Code: 'InvalidMessageContents',
        Message: expect.stringMatching(/Invalid characters/) as string,
      },
    ]);
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    expect(Messages?.map((m) => m.Body)).toEqual(['first', 'second']);
    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', ReceiptHandle: Messages![0]!.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'b', ReceiptHandle: 'bogus', VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(changed.Successful).toEqual([{ Id: 'a' }]);
    expect(changed.Failed?.[0]).toMatchObject({
      Id: 'b',
      Code: 'ReceiptHandleIsInvalid',
      SenderFault: true,
    });
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'x', ReceiptHandle: again.Messages![0]!.ReceiptHandle },
          { Id: 'y', ReceiptHandle: Messages![1]!.ReceiptHandle },
          { Id: 'z', ReceiptHandle: 'bogus' },
        ],
      }),
    );
    expect(deleted.Successful).toEqual([{ Id: 'x' }, { Id: 'y' }]);
    expect(deleted.Failed).toEqual([
      {
        Id: 'z',
        SenderFault: true,
        Code: 'ReceiptHandleIsInvalid',
        Message: 'The input receipt handle "bogus" is not a valid receipt handle.',
      },
    ]);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
  });

  it('refuses malformed batches with SQS’s batch errors', async () => {
    const url = await createQueue('batch-errors');
    expect(
      await errorOf(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [] }))),
    ).toBeInstanceOf(EmptyBatchRequest);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }));
    const tooMany = await errorOf(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: eleven })),
    );
    expect(tooMany).toBeInstanceOf(TooManyEntriesInBatchRequest);
    expect(tooMany.message).toBe('Maximum number of entries per request are 10. You have sent 11.');
    const twice = [
      { Id: 'same', MessageBody: 'x' },
      { Id: 'same', MessageBody: 'y' },
    ];
    expect(
      await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: twice }))),
    ).toBeInstanceOf(BatchEntryIdsNotDistinct);
    const badId = [{ Id: 'not:valid', MessageBody: 'x' }];
    expect(
      await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: badId }))),
    ).toBeInstanceOf(InvalidBatchEntryId);
  });

  it('redelivers a message whose visibility timeout expired, with ApproximateReceiveCount 2', async () => {
    const url = await createQueue('visibility');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const first = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1 }),
    );
    expect(first.Messages).toHaveLength(1);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    const started = performance.now();
    // The long poll wakes when the message becomes visible again, not at the end of the wait.
    const second = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        WaitTimeSeconds: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(performance.now() - started).toBeLessThan(2500);
    expect(second.Messages![0]!.MessageId).toBe(first.Messages![0]!.MessageId);
    expect(second.Messages![0]!.Attributes).toEqual({ ApproximateReceiveCount: '2' });
    expect(second.Messages![0]!.ReceiptHandle).not.toBe(first.Messages![0]!.ReceiptHandle);
    const stale = await errorOf(
      sqs.send(
        new DeleteMessageCommand({
          QueueUrl: url,
          ReceiptHandle: first.Messages![0]!.ReceiptHandle,
        }),
      ),
    );
    expect(stale.name).toBe('InvalidParameterValue');
    expect(stale.message).toMatch(/Reason: The receipt handle has expired\.$/);
  });

  it('changes a message’s visibility: 0 makes it receivable at once', async () => {
    const url = await createQueue('change');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'm' }));
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 600 }),
    );
    const handle = Messages![0]!.ReceiptHandle!;
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: handle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(again.Messages?.[0]?.MessageId).toBe(Messages![0]!.MessageId);
    const bad = await errorOf(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: 'garbage',
          VisibilityTimeout: 5,
        }),
      ),
    );
    expect(bad).toBeInstanceOf(ReceiptHandleIsInvalid);
    const range = await errorOf(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: again.Messages![0]!.ReceiptHandle,
          VisibilityTimeout: 43_201,
        }),
      ),
    );
    expect(range.name).toBe('InvalidParameterValue');
    expect(range.message).toBe(
      'Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.',
    );
  });

  it('answers a long poll as soon as a message is sent', async () => {
    const url = await createQueue('long-poll');
    const consumer = server.newClient();
    let receivedAt = 0;
    const polling = consumer
      .send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }))
      .then((out) => {
        receivedAt = performance.now();
        return out;
      });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receivedAt).toBe(0);
    const sendStarted = performance.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
    const { Messages } = await polling;
    expect(Messages?.[0]?.Body).toBe('wake up');
    expect(receivedAt - sendStarted).toBeLessThan(100);
  });

  it('drops a long poll whose client went away, so it takes no message', async () => {
    const url = await createQueue('abandoned');
    const controller = new AbortController();
    const abandoned = rawSqs(
      server.endpoint,
      'AmazonSQS.ReceiveMessage',
      JSON.stringify({ QueueUrl: url, WaitTimeSeconds: 20 }),
      { signal: controller.signal },
    ).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    expect(await abandoned).toBeInstanceOf(Error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'for a live consumer' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(Messages?.[0]?.Body).toBe('for a live consumer');
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const dlqUrl = await createQueue('dead');
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
    );
    const url = await createQueue('work', {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: Attributes!['QueueArn'],
        maxReceiveCount: 2,
      }),
    });
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }),
      );
      expect(Messages?.[0]?.MessageId).toBe(sent.MessageId);
    }
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageSystemAttributeNames: ['All'] }),
    );
    expect(dead.Messages?.[0]).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'poison',
      Attributes: {
        ApproximateReceiveCount: '3',
        DeadLetterQueueSourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${url.split('/').pop()!}`,
      },
    });
  });
});

describe('errors on the wire', () => {
  it('answers a missing queue with SQS’s JSON error, query-compatible code and request id', async () => {
    const res = await rawSqs(
      server.endpoint,
      'AmazonSQS.GetQueueUrl',
      JSON.stringify({ QueueName: 'no-such-queue' }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(res.headers.get('x-amzn-query-error')).toBe(
      'AWS.SimpleQueueService.NonExistentQueue;Sender',
    );
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9A-F]{16}$/);
    expect(res.json).toEqual({
      __type: 'com.amazonaws.sqs#QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
  });

  it('refuses a wrong secret, an unknown key and an unsigned request', async () => {
    const wrongSecret = server.newClient({
      credentials: { ...CREDENTIALS, secretAccessKey: 'not-the-secret' },
      maxAttempts: 1,
    });
    const bad = await errorOf(wrongSecret.send(new ListQueuesCommand({})));
    expect(bad.name).toBe('SignatureDoesNotMatch');
    expect(bad.$metadata.httpStatusCode).toBe(403);
    const unknownKey = server.newClient({
      credentials: { ...CREDENTIALS, accessKeyId: 'AKIAUNKNOWNKEY000000' },
      maxAttempts: 1,
    });
    const unknown = await errorOf(unknownKey.send(new ListQueuesCommand({})));
    expect(unknown.name).toBe('InvalidClientTokenId');
    expect(unknown.$metadata.httpStatusCode).toBe(403);
    const unsigned = await rawSqs(server.endpoint, 'AmazonSQS.ListQueues', '{}', { sign: false });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-query-error')).toBe('MissingAuthenticationToken;Sender');
  });

  it('refuses a body that is not the one signed', async () => {
    const url = new URL(server.endpoint);
    const signer = new SignatureV4({
      service: 'sqs',
      region: REGION,
      credentials: CREDENTIALS,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.CreateQueue',
      },
      body: JSON.stringify({ QueueName: 'signed-name' }),
    });
    const res = await fetch(`${server.endpoint}/`, {
      method: 'POST',
      headers: signed.headers,
      body: JSON.stringify({ QueueName: 'swapped-name' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-query-error')).toBe('SignatureDoesNotMatch;Sender');
    const lookup = await errorOf(sqs.send(new GetQueueUrlCommand({ QueueName: 'swapped-name' })));
    expect(lookup).toBeInstanceOf(QueueDoesNotExist);
  });

  it('refuses out-of-range parameters and bad bodies as SQS does', async () => {
    const url = await createQueue('validation');
    const tooMany = await errorOf(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
    );
    expect(tooMany.name).toBe('InvalidParameterValue');
    expect(tooMany.message).toBe(
      'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    );
    expect(tooMany.$metadata.httpStatusCode).toBe(400);
    const wait = await errorOf(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 })),
    );
    expect(wait.name).toBe('InvalidParameterValue');
    const visibility = await errorOf(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 43_201 })),
    );
    expect(visibility.name).toBe('InvalidParameterValue');
    const delay = await errorOf(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 })),
    );
    expect(delay.name).toBe('InvalidParameterValue');
    const chars = await errorOf(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bell \u0007' })),
    );
    expect(chars).toBeInstanceOf(InvalidMessageContents);
    const empty = await errorOf(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '' })),
    );
    expect(empty.name).toBe('MissingParameter');
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { MaximumMessageSize: '1024' } }),
    );
    const large = await errorOf(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1025) })),
    );
    expect(large.name).toBe('InvalidParameterValue');
    expect(large.message).toBe(
      'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
    );
    const attribute = await errorOf(
      sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: { VisibilityTimeout: '43201' },
        }),
      ),
    );
    expect(attribute.name).toBe('InvalidAttributeValue');
  });

  it('answers operations Vigil does not offer with UnsupportedOperation, unknown ones with InvalidAction', async () => {
    const url = await createQueue('tags');
    const error = await errorOf(
      sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'a' } })),
    );
    expect(error).toBeInstanceOf(UnsupportedOperation);
    const unknown = await rawSqs(server.endpoint, 'AmazonSQS.Frobnicate', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-query-error')).toBe('InvalidAction;Sender');
    expect(unknown.json['__type']).toBe('com.amazon.coral.service#UnknownOperationException');
  });
});

describe('durability', () => {
  it('keeps queues and messages across a restart of the server and its database', async () => {
    const name = uniqueName('durable');
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'first' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'second' }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
    await server.stop();
    server = await startSqsServer(dataDir);
    sqs = server.client;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(Messages?.map((m) => [m.Body, m.Attributes?.['ApproximateReceiveCount']])).toEqual([
      ['first', '2'],
      ['second', '1'],
    ]);
  });
});
