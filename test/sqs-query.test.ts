import { Sha256 } from '@aws-crypto/sha256-js';
import { openIdentity } from '../src/iam/index.js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type Route } from '../src/http/server.js';
import {
  QueueService,
  createSqsQueryRoute,
  createSqsRoute,
  md5OfMessageAttributes,
} from '../src/queue/index.js';
import { StorageEngine } from '../src/storage/index.js';
import { findAwsBinaries, runAws, type AwsResult } from './support/awscli.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const CREDENTIALS = {
  accessKeyId: 'AKIAVIGILSQSQUERY001',
  secretAccessKey: 'sqs-query-test-secret-0123456789abcdef',
};
const NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';
const FELL_THROUGH = 'reached the S3 handler';

type Protocol = 'query' | 'json';

/**
 * A real listening server with the queue service, both SQS routes and, in the S3 handler's
 * place, one that fails whatever reaches it. Queue `q1` exists from the start (as
 * `startTestVigil({ config: { queues: [{ name: 'q1' }] } })` would make it). `hits` counts
 * the requests each SQS route served.
 */
interface QueryServer {
  url: string;
  hits: Record<Protocol, number>;
  stop(): Promise<void>;
}

async function startQueryServer(): Promise<QueryServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vigil-sqs-query-'));
  const logger = pino({ level: process.env['VIGIL_TEST_LOG'] ?? 'silent' });
  const engine = await StorageEngine.open({ dataDir, fsync: true });
  const queues = new QueueService({
    db: engine.db,
    grouped: (work) => engine.grouped(work),
    region: REGION,
    accountId: ACCOUNT,
  });
  await queues.createQueue('q1', {});
  const options = {
    queues,
    gate: openIdentity(engine, { accountId: ACCOUNT, root: CREDENTIALS }).gate,
    region: REGION,
    accountId: ACCOUNT,
    logger,
  };
  const hits: Record<Protocol, number> = { query: 0, json: 0 };
  const counted = (protocol: Protocol, route: Route): Route => ({
    ...route,
    handle: (req, res, ids) => {
      hits[protocol]++;
      return route.handle(req, res, ids);
    },
  });
  const http = createHttpServer({
    s3: (_req, res) => {
      res.writeHead(501, { 'content-type': 'text/plain' });
      res.end(FELL_THROUGH);
      return Promise.resolve();
    },
    routes: [
      counted('json', createSqsRoute(options)),
      counted('query', createSqsQueryRoute(options)),
    ],
    logger,
  });
  const address = await http.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${address.port}`,
    hits,
    stop: async () => {
      queues.close();
      await http.shutdown(5000);
      engine.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

const binaries = findAwsBinaries();
const spoken = new Map<string, Protocol>();

if (binaries.length === 0) {
  const message = 'no aws CLI found (install it with `apt-get install -y awscli`)';
  if (process.env['CI'] === 'true') {
    it('has an aws CLI to test with', () => expect.fail(`${message}; CI must have it`));
  } else {
    console.warn(`sqs query CLI tests skipped: ${message}`);
    it.skip(`aws CLI sqs tests: ${message}`, () => {});
  }
}

describe.each(binaries)('aws sqs with $version ($path)', ({ path: bin, version }) => {
  let server: QueryServer;
  let protocol: Protocol;
  const queueUrl = (name: string) => `${server.url}/${ACCOUNT}/${name}`;

  const aws = (args: string[], credentials = CREDENTIALS) =>
    runAws(bin, server.url, credentials, args);
  /**
   * Runs `aws sqs …`, fails the test with its stderr unless it exits 0, checks that only the
   * route of this CLI's protocol served it, and returns its parsed JSON output.
   */
  const sqs = async (...args: string[]): Promise<Record<string, unknown>> => {
    const before = { ...server.hits };
    const result = await aws(['sqs', ...args]);
    expect(result, `aws sqs ${args.join(' ')}\n${result.stderr}`).toMatchObject({ code: 0 });
    const other: Protocol = protocol === 'query' ? 'json' : 'query';
    expect(server.hits[protocol]).toBeGreaterThan(before[protocol]);
    expect(server.hits[other]).toBe(before[other]);
    return JSON.parse(result.stdout.trim() || '{}') as Record<string, unknown>;
  };
  const failure = (result: AwsResult, ...anyOf: string[]) => {
    expect([254, 255], result.stderr).toContain(result.code);
    expect(result.stderr).not.toContain(FELL_THROUGH);
    expect(
      anyOf.some((text) => result.stderr.includes(text)),
      result.stderr,
    ).toBe(true);
  };
  interface Received {
    MessageId: string;
    ReceiptHandle: string;
    MD5OfBody: string;
    Body: string;
    Attributes?: Record<string, string>;
    MD5OfMessageAttributes?: string;
    MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
  }
  const receive = async (url: string, ...extra: string[]) =>
    ((
      await sqs(
        'receive-message',
        '--queue-url',
        url,
        '--attribute-names',
        'All',
        '--message-attribute-names',
        'All',
        '--max-number-of-messages',
        '10',
        '--wait-time-seconds',
        '1',
        ...extra,
      )
    )['Messages'] ?? []) as Received[];
  const counts = async (url: string) => {
    const { Attributes } = (await sqs(
      'get-queue-attributes',
      '--queue-url',
      url,
      '--attribute-names',
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
    )) as { Attributes: Record<string, string> };
    return Attributes;
  };

  beforeAll(async () => {
    server = await startQueryServer();
    const before = { ...server.hits };
    const debug = await aws(['sqs', 'list-queues', '--debug']);
    expect(debug.code, debug.stderr).toBe(0);
    protocol = server.hits.query > before.query ? 'query' : 'json';
    spoken.set(version, protocol);
    console.info(`${version} (${bin}) speaks the SQS ${protocol} protocol`);
    // What --debug shows the CLI sending agrees with the route that served it.
    expect(debug.stderr).toContain(
      protocol === 'query'
        ? "'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'"
        : "'X-Amz-Target': 'AmazonSQS.ListQueues'",
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates a queue, finds it by name and lists it', async () => {
    const created = await sqs(
      'create-queue',
      '--queue-name',
      'work',
      '--attributes',
      'VisibilityTimeout=45',
    );
    expect(created).toEqual({ QueueUrl: queueUrl('work') });
    expect(
      await sqs('create-queue', '--queue-name', 'work', '--attributes', 'VisibilityTimeout=45'),
    ).toEqual(created);
    expect(await sqs('get-queue-url', '--queue-name', 'q1')).toEqual({ QueueUrl: queueUrl('q1') });
    expect(await sqs('get-queue-url', '--queue-name', 'work')).toEqual(created);
    const all = await sqs('list-queues');
    expect(all['QueueUrls']).toEqual([queueUrl('q1'), queueUrl('work')]);
    expect(await sqs('list-queues', '--queue-name-prefix', 'wo')).toEqual({
      QueueUrls: [queueUrl('work')],
    });
  });

  it('refuses other attributes for an existing name with QueueAlreadyExists', async () => {
    failure(
      await aws(['sqs', 'create-queue', '--queue-name', 'q1', '--attributes', 'DelaySeconds=7']),
      'QueueAlreadyExists',
    );
  });

  it('sets and reads queue attributes', async () => {
    const url = queueUrl('work');
    expect(
      await sqs(
        'set-queue-attributes',
        '--queue-url',
        url,
        '--attributes',
        'VisibilityTimeout=60,MessageRetentionPeriod=3600',
      ),
    ).toEqual({});
    const { Attributes } = (await sqs(
      'get-queue-attributes',
      '--queue-url',
      url,
      '--attribute-names',
      'All',
    )) as { Attributes: Record<string, string> };
    expect(Attributes).toMatchObject({
      QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:work`,
      VisibilityTimeout: '60',
      MessageRetentionPeriod: '3600',
      MaximumMessageSize: '1048576',
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
      ApproximateNumberOfMessages: '0',
    });
    expect(Number(Attributes['CreatedTimestamp'])).toBeCloseTo(Date.now() / 1000, -2);
    expect(
      await sqs(
        'get-queue-attributes',
        '--queue-url',
        url,
        '--attribute-names',
        'VisibilityTimeout',
      ),
    ).toEqual({ Attributes: { VisibilityTimeout: '60' } });
    failure(
      await aws(['sqs', 'set-queue-attributes', '--queue-url', url, '--attributes', 'Nope=1']),
      'InvalidAttributeName',
    );
  });

  it('sends, receives with every attribute, and deletes a message', async () => {
    const url = queueUrl('q1');
    // A carriage return, markup and non-ASCII text must come back byte for byte.
    const body = 'line one\r\nline <two> & "three" — été 😀\ttab';
    const attributes = {
      colour: { DataType: 'String', StringValue: 'blue & <green>' },
      size: { DataType: 'Number', StringValue: '42' },
    };
    const sent = await sqs(
      'send-message',
      '--queue-url',
      url,
      '--message-body',
      body,
      '--message-attributes',
      JSON.stringify(attributes),
    );
    expect(sent).toEqual({
      MessageId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      MD5OfMessageBody: md5(body),
      MD5OfMessageAttributes: md5OfMessageAttributes(attributes),
    });
    const [message, ...others] = await receive(url);
    expect(others).toEqual([]);
    expect(message).toMatchObject({
      MessageId: sent['MessageId'],
      Body: body,
      MD5OfBody: md5(body),
      MD5OfMessageAttributes: md5OfMessageAttributes(attributes),
      MessageAttributes: attributes,
    });
    expect(message!.Attributes).toMatchObject({
      SenderId: CREDENTIALS.accessKeyId,
      ApproximateReceiveCount: '1',
      SentTimestamp: expect.stringMatching(/^\d{13}$/) as unknown,
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/) as unknown,
    });
    expect(
      await sqs('delete-message', '--queue-url', url, '--receipt-handle', message!.ReceiptHandle),
    ).toEqual({});
    expect(await counts(url)).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    // An empty queue answers with no messages.
    expect(await receive(url)).toEqual([]);
  });

  it('changes the visibility of one message and of a batch', async () => {
    const url = queueUrl('q1');
    await sqs('send-message', '--queue-url', url, '--message-body', 'visible again');
    const [first] = await receive(url, '--visibility-timeout', '300');
    expect(await receive(url)).toEqual([]);
    expect(
      await sqs(
        'change-message-visibility',
        '--queue-url',
        url,
        '--receipt-handle',
        first!.ReceiptHandle,
        '--visibility-timeout',
        '0',
      ),
    ).toEqual({});
    const [second] = await receive(url, '--visibility-timeout', '300');
    expect(second).toMatchObject({ MessageId: first!.MessageId, Body: 'visible again' });
    expect(second!.Attributes!['ApproximateReceiveCount']).toBe('2');
    const changed = await sqs(
      'change-message-visibility-batch',
      '--queue-url',
      url,
      '--entries',
      JSON.stringify([
        { Id: 'now', ReceiptHandle: second!.ReceiptHandle, VisibilityTimeout: 0 },
        { Id: 'stale', ReceiptHandle: first!.ReceiptHandle, VisibilityTimeout: 0 },
      ]),
    );
    expect(changed['Successful']).toEqual([{ Id: 'now' }]);
    expect(changed['Failed']).toEqual([
      expect.objectContaining({ Id: 'stale', SenderFault: true }),
    ]);
    const [third] = await receive(url);
    expect(third!.MessageId).toBe(first!.MessageId);
    await sqs('delete-message', '--queue-url', url, '--receipt-handle', third!.ReceiptHandle);
  });

  it('sends and deletes in batches, with per-entry failures', async () => {
    const url = queueUrl('work');
    const batch = await sqs(
      'send-message-batch',
      '--queue-url',
      url,
      '--entries',
      JSON.stringify([
        { Id: 'a', MessageBody: 'first' },
        {
          Id: 'b',
          MessageBody: 'second',
          MessageAttributes: { n: { DataType: 'Number', StringValue: '7' } },
        },
        { Id: 'late', MessageBody: 'never', DelaySeconds: 1000 },
      ]),
    );
    expect(batch['Successful']).toEqual([
      { Id: 'a', MessageId: expect.any(String) as unknown, MD5OfMessageBody: md5('first') },
      {
        Id: 'b',
        MessageId: expect.any(String) as unknown,
        MD5OfMessageBody: md5('second'),
        MD5OfMessageAttributes: md5OfMessageAttributes({
          n: { DataType: 'Number', StringValue: '7' },
        }),
      },
    ]);
    expect(batch['Failed']).toEqual([
      {
        Id: 'late',
        SenderFault: true,
        Code: 'InvalidParameterValue',
        Message: expect.stringContaining('DelaySeconds') as unknown,
      },
    ]);
    const received: Received[] = [];
    for (let i = 0; i < 5 && received.length < 2; i++) received.push(...(await receive(url)));
    expect(received.map((m) => m.Body).sort()).toEqual(['first', 'second']);
    const deleted = await sqs(
      'delete-message-batch',
      '--queue-url',
      url,
      '--entries',
      JSON.stringify([
        ...received.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
        { Id: 'bogus', ReceiptHandle: 'not-a-receipt-handle' },
      ]),
    );
    expect(deleted['Successful']).toEqual([{ Id: 'm0' }, { Id: 'm1' }]);
    expect(deleted['Failed']).toEqual([
      {
        Id: 'bogus',
        SenderFault: true,
        Code: 'ReceiptHandleIsInvalid',
        Message: expect.any(String) as unknown,
      },
    ]);
    failure(
      await aws([
        'sqs',
        'delete-message-batch',
        '--queue-url',
        url,
        '--entries',
        JSON.stringify([
          { Id: 'same', ReceiptHandle: 'x' },
          { Id: 'same', ReceiptHandle: 'y' },
        ]),
      ]),
      'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    );
  });

  it('purges a queue, then deletes it', async () => {
    const url = queueUrl('work');
    await sqs('send-message', '--queue-url', url, '--message-body', 'doomed');
    expect(await sqs('purge-queue', '--queue-url', url)).toEqual({});
    expect(await counts(url)).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    expect(await sqs('delete-queue', '--queue-url', url)).toEqual({});
    failure(
      await aws(['sqs', 'get-queue-url', '--queue-name', 'work']),
      'AWS.SimpleQueueService.NonExistentQueue',
      'The specified queue does not exist',
    );
    expect((await sqs('list-queues'))['QueueUrls']).toEqual([queueUrl('q1')]);
  });

  it('fails a receive from a missing queue with NonExistentQueue', async () => {
    failure(
      await aws(['sqs', 'receive-message', '--queue-url', queueUrl('missing')]),
      'AWS.SimpleQueueService.NonExistentQueue',
      'The specified queue does not exist',
    );
  });

  it('refuses a wrong secret and an unknown access key', async () => {
    failure(
      await aws(['sqs', 'list-queues'], { ...CREDENTIALS, secretAccessKey: 'wrong-secret' }),
      'SignatureDoesNotMatch',
    );
    failure(
      await aws(['sqs', 'list-queues'], { ...CREDENTIALS, accessKeyId: 'AKIAUNKNOWNKEY000000' }),
      'InvalidClientTokenId',
    );
  });
});

describe('the CLIs found here', () => {
  it('include one that speaks the query protocol', (ctx) => {
    const query = [...spoken].filter(([, p]) => p === 'query').map(([v]) => v);
    if (query.length === 0 && binaries.length > 0 && process.env['CI'] !== 'true') {
      console.warn(
        `sqs query: no aws CLI here speaks the query protocol (${[...spoken.keys()].join(', ')}); Debian's awscli 2.9 does`,
      );
      ctx.skip();
    }
    expect(query, 'an aws CLI that speaks the SQS query protocol').not.toEqual([]);
  });
});

/** A query request signed by the real SigV4 signer for service sqs, as botocore signs it. */
async function rawQuery(
  endpoint: string,
  body: string,
  options: { path?: string; sign?: boolean; contentType?: string } = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const url = new URL(endpoint);
  const path = options.path ?? '/';
  let headers: Record<string, string> = {
    host: url.host,
    'content-type': options.contentType ?? 'application/x-www-form-urlencoded; charset=utf-8',
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
      path,
      headers,
      body,
    });
    headers = signed.headers;
  }
  const res = await fetch(`${endpoint}${path}`, { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const errorDocument = (fault: string, code: string, requestId: string) =>
  new RegExp(
    `^<\\?xml version="1.0"\\?>\\n<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${fault}</Type>` +
      `<Code>${code.replaceAll('.', '\\.')}</Code><Message>[^<]+</Message><Detail/></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>$`,
  );

describe('the query protocol on the wire', () => {
  let server: QueryServer;
  beforeAll(async () => {
    server = await startQueryServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    ['an action SQS does not have', 'Action=ListBuckets&Version=2012-11-05', 400, 'InvalidAction'],
    ['no action', 'Version=2012-11-05', 400, 'MissingAction'],
    [
      'an SQS action Vigil does not offer',
      'Action=TagQueue&Version=2012-11-05',
      400,
      'AWS.SimpleQueueService.UnsupportedOperation',
    ],
    [
      'a count that is not a number',
      `Action=ReceiveMessage&QueueUrl=${encodeURIComponent(`http://h/${ACCOUNT}/q1`)}&MaxNumberOfMessages=ten`,
      400,
      'InvalidParameterValue',
    ],
    ['a missing required parameter', 'Action=GetQueueUrl', 400, 'MissingParameter'],
  ])('answers %s with an XML error', async (_name, body, status, code) => {
    const res = await rawQuery(server.url, body);
    const requestId = res.headers.get('x-amzn-requestid')!;
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('text/xml');
    expect(res.text).toMatch(errorDocument('Sender', code, requestId));
  });

  it('refuses an unsigned request with MissingAuthenticationToken', async () => {
    const res = await rawQuery(server.url, 'Action=ListQueues&Version=2012-11-05', {
      sign: false,
    });
    expect(res.status).toBe(403);
    expect(res.text).toMatch(
      errorDocument('Sender', 'MissingAuthenticationToken', res.headers.get('x-amzn-requestid')!),
    );
  });

  it('refuses a body changed after signing with SignatureDoesNotMatch', async () => {
    const url = new URL(server.url);
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
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetQueueUrl&QueueName=q1',
    });
    const res = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: signed.headers,
      body: 'Action=DeleteQueue&QueueUrl=q1',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('serves a request posted to the queue URL without QueueUrl, as older SDKs send it', async () => {
    const path = `/${ACCOUNT}/q1`;
    const sent = await rawQuery(server.url, 'Action=SendMessage&MessageBody=from+the+path', {
      path,
    });
    expect(sent.status).toBe(200);
    expect(sent.text).toMatch(
      new RegExp(
        `^<\\?xml version="1.0"\\?>\\n<SendMessageResponse xmlns="${NAMESPACE}"><SendMessageResult>` +
          `<MessageId>[0-9a-f-]{36}</MessageId><MD5OfMessageBody>${md5('from the path')}</MD5OfMessageBody>` +
          `</SendMessageResult><ResponseMetadata><RequestId>${sent.headers.get('x-amzn-requestid')}</RequestId>` +
          `</ResponseMetadata></SendMessageResponse>$`,
      ),
    );
    const received = await rawQuery(server.url, 'Action=ReceiveMessage&WaitTimeSeconds=1', {
      path,
    });
    expect(received.text).toContain('<Body>from the path</Body>');
    const handle = /<ReceiptHandle>([^<]+)<\/ReceiptHandle>/.exec(received.text)![1]!;
    const deleted = await rawQuery(
      server.url,
      `Action=DeleteMessage&ReceiptHandle=${encodeURIComponent(handle)}`,
      { path },
    );
    expect(deleted.text).toBe(
      `<?xml version="1.0"?>\n<DeleteMessageResponse xmlns="${NAMESPACE}"><ResponseMetadata>` +
        `<RequestId>${deleted.headers.get('x-amzn-requestid')}</RequestId></ResponseMetadata></DeleteMessageResponse>`,
    );
    const empty = await rawQuery(server.url, 'Action=ReceiveMessage', { path });
    expect(empty.text).toContain('<ReceiveMessageResult/>');
  });

  it('leaves S3 requests to S3', async () => {
    const before = { ...server.hits };
    const upload = await rawQuery(server.url, '--x\r\n\r\n--x--', {
      contentType: 'multipart/form-data; boundary=x',
      sign: false,
    });
    expect(upload).toMatchObject({ status: 501, text: FELL_THROUGH });
    const multipart = await rawQuery(server.url, 'a=b', { path: `/${ACCOUNT}/q1?uploads` });
    expect(multipart).toMatchObject({ status: 501, text: FELL_THROUGH });
    expect(server.hits).toEqual(before);
  });
});
