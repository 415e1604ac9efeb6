import { Sha256 } from '@aws-crypto/sha256-js';
import { rootOnlyGate } from '../iam/index.js';
import { SignatureV4 } from '@smithy/signature-v4';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpServer, type VigilHttpServer } from '../http/server.js';
import { openDatabase, type SqliteDatabase } from '../storage/index.js';
import { createEventBridgeRoute } from './api.js';
import { MAX_BODY } from './api-wire.js';
import { RuleStore } from './rule-store.js';

/**
 * The protocol and the validation of requests, with requests signed by `@smithy/signature-v4`
 * (the signer inside `@aws-sdk/client-eventbridge`) and sent as that client sends them. The
 * operations end to end, through the client itself: test/eventbridge.test.ts.
 */
const CREDENTIALS = { accessKeyId: 'AKIAVIGILTEST', secretAccessKey: 'vigil-test-secret-key' };
const ACCOUNT = '111122223333';
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:images`;
const logger = pino({ level: 'silent' });

let dir: string;
let db: SqliteDatabase;
let http: VigilHttpServer;
let endpoint: string;
/** Swapped by the internal-error test. */
let store: RuleStore;

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

async function call(
  operation: string,
  body: unknown,
  options: {
    credentials?: typeof CREDENTIALS;
    service?: string;
    unsigned?: boolean;
  } = {},
): Promise<Answer> {
  const url = new URL(endpoint);
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `AWSEvents.${operation}`,
  };
  const signer = new SignatureV4({
    service: options.service ?? 'events',
    region: 'us-east-1',
    credentials: options.credentials ?? CREDENTIALS,
    sha256: Sha256,
  });
  const signed = options.unsigned
    ? { headers }
    : await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: {},
        headers,
        body: text,
      });
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body: text });
  const raw = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
  };
}

function expectError(answer: Answer, type: string, message?: string | RegExp, status = 400): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toBe('application/x-amz-json-1.1');
  expect(answer.json['__type']).toBe(type);
  expect(typeof answer.json['message']).toBe('string');
  if (message !== undefined) expect(answer.json['message']).toMatch(message);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-eventbridge-api-'));
  db = openDatabase(join(dir, 'vigil.db'));
  http = createHttpServer({
    s3: (_req, res) => Promise.resolve(void res.writeHead(599).end()),
    routes: [
      createEventBridgeRoute({
        get rules() {
          return store;
        },
        gate: rootOnlyGate(ACCOUNT, CREDENTIALS),
        region: 'us-east-1',
        accountId: ACCOUNT,
        logger,
      }),
    ],
    logger,
  });
  const { port } = await http.listen(0, '127.0.0.1');
  endpoint = `http://127.0.0.1:${port}/`;
});

afterAll(async () => {
  await http.shutdown();
  db.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  db.exec('DELETE FROM eventbridge_rules');
  store = new RuleStore({
    db,
    region: 'us-east-1',
    accountId: ACCOUNT,
    checkTarget: (arn) => (arn === QUEUE ? undefined : 'The destination queue does not exist'),
  });
});

describe('the JSON 1.1 protocol', () => {
  it('answers in JSON 1.1 with the request id', async () => {
    const answer = await call('ListRules', {});
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(answer.headers.get('x-amzn-requestid')).toBe(answer.headers.get('x-amz-request-id'));
    expect(answer.json).toEqual({ Rules: [] });
  });

  it('refuses unsigned requests, unknown keys, bad signatures and other services', async () => {
    expectError(
      await call('ListRules', {}, { unsigned: true }),
      'MissingAuthenticationTokenException',
    );
    expectError(
      await call('ListRules', {}, { credentials: { ...CREDENTIALS, accessKeyId: 'AKIAOTHER' } }),
      'UnrecognizedClientException',
    );
    expectError(
      await call('ListRules', {}, { credentials: { ...CREDENTIALS, secretAccessKey: 'wrong' } }),
      'InvalidSignatureException',
    );
    expectError(await call('ListRules', {}, { service: 'sqs' }), 'IncompleteSignatureException');
  });

  it('names the operations it implements when asked for another', async () => {
    expectError(
      await call('PutEvents', { Entries: [] }),
      'UnknownOperationException',
      /PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule, PutTargets, RemoveTargets, ListTargetsByRule, TestEventPattern .*not PutEvents/,
    );
    expectError(await call('constructor', {}), 'UnknownOperationException');
  });

  it('refuses bodies that are not JSON objects, and members of the wrong type', async () => {
    expectError(await call('ListRules', '{'), 'SerializationException');
    expectError(await call('ListRules', '[]'), 'SerializationException');
    expectError(await call('DescribeRule', { Name: 5 }), 'SerializationException');
    expectError(await call('ListRules', { Limit: 'ten' }), 'SerializationException');
    expectError(await call('PutTargets', { Rule: 'r', Targets: ['x'] }), 'SerializationException');
  });

  it('reads bodies after 100-continue and refuses ones over the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(endpoint, {
        method: 'POST',
        headers: { expect: '100-continue', 'x-amz-target': 'AWSEvents.ListRules' },
      });
      req.on('continue', () => req.end('{}'));
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    expect(status).toBe(400); // unsigned, but the body was read after the 100
    const big = await call('ListRules', JSON.stringify({ NamePrefix: 'x'.repeat(MAX_BODY) }));
    expectError(big, 'SerializationException', /over 1048576 bytes/);
  });

  it('answers InternalException with 500 when the store fails', async () => {
    const closed = openDatabase(join(dir, 'closed.db'));
    closed.close();
    store = new RuleStore({
      db: closed,
      region: 'us-east-1',
      accountId: ACCOUNT,
      checkTarget: () => undefined,
    });
    expectError(await call('ListRules', {}), 'InternalException', 'Internal server error', 500);
  });
});

describe('validation, in EventBridge’s words', () => {
  it('checks names and limits against the model’s constraints', async () => {
    expectError(
      await call('PutRule', { Name: 'my rule', EventPattern: '{}' }),
      'ValidationException',
      "1 validation error detected: Value 'my rule' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    );
    expectError(
      await call('DescribeRule', { Name: 'x'.repeat(65) }),
      'ValidationException',
      /at 'name' failed to satisfy constraint: Member must have length less than or equal to 64$/,
    );
    expectError(
      await call('DescribeRule', {}),
      'ValidationException',
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
    expectError(
      await call('ListRules', { Limit: 0 }),
      'ValidationException',
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expectError(
      await call('ListRules', { Limit: 101 }),
      'ValidationException',
      /less than or equal to 100/,
    );
    expectError(
      await call('ListRules', { NextToken: 'made-up' }),
      'ValidationException',
      /NextToken/,
    );
    expectError(
      await call('PutTargets', { Rule: 'r', Targets: [{ Id: 'a b', Arn: QUEUE }] }),
      'ValidationException',
      /at 'targets\.1\.member\.id' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    expectError(
      await call('PutTargets', { Rule: 'r', Targets: [{ Id: 'a' }] }),
      'ValidationException',
      "1 validation error detected: Value null at 'targets.1.member.arn' failed to satisfy constraint: Member must not be null",
    );
  });

  it('knows only the default bus, by name or ARN', async () => {
    expectError(
      await call('ListRules', { EventBusName: 'custom' }),
      'ResourceNotFoundException',
      'Event bus custom does not exist.',
    );
    const other = 'arn:aws:events:eu-west-1:111122223333:event-bus/default';
    expectError(
      await call('ListRules', { EventBusName: other }),
      'ResourceNotFoundException',
      `Event bus ${other} does not exist.`,
    );
    const arn = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
    expect((await call('ListRules', { EventBusName: arn })).status).toBe(200);
    expect((await call('ListRules', { EventBusName: 'default' })).status).toBe(200);
  });

  it('refuses schedules, rules without a pattern, tags and CloudTrail states', async () => {
    expectError(
      await call('PutRule', {
        Name: 'r',
        EventPattern: '{"source":["aws.s3"]}',
        Tags: [{ Key: 'team', Value: 'photos' }],
      }),
      'ValidationException',
      /does not store tags/,
    );
    expectError(
      await call('PutRule', { Name: 'r', ScheduleExpression: 'rate(5 minutes)' }),
      'ValidationException',
      /^Vigil does not run scheduled rules/,
    );
    expectError(
      await call('PutRule', { Name: 'r' }),
      'ValidationException',
      'Parameter(s) EventPattern or ScheduleExpression must be specified.',
    );
    expectError(
      await call('PutRule', {
        Name: 'r',
        EventPattern: '{}',
        State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
      }),
      'ValidationException',
      /CloudTrail/,
    );
    expectError(
      await call('PutRule', { Name: 'r', EventPattern: '{}', State: 'ON' }),
      'ValidationException',
      "1 validation error detected: Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]",
    );
    expectError(
      await call('PutRule', { Name: 'r', EventPattern: '{"source":"aws.s3"}' }),
      'InvalidEventPatternException',
      /^Event pattern is not valid\. Reason: /,
    );
    expect(store.getRule('r')).toBeUndefined();
  });

  it('takes ten targets per request, and refuses target parameters Vigil does not have', async () => {
    store.putRule({ name: 'r', eventPattern: '{"source":["aws.s3"]}' });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `t${i}`, Arn: QUEUE }));
    expectError(
      await call('PutTargets', { Rule: 'r', Targets: eleven }),
      'ValidationException',
      /at most 10/,
    );
    const answer = await call('PutTargets', {
      Rule: 'r',
      Targets: [
        { Id: 'ok', Arn: QUEUE, RoleArn: 'arn:aws:iam::111122223333:role/ignored' },
        { Id: 'shaped', Arn: QUEUE, InputTransformer: { InputTemplate: '"x"' } },
      ],
    });
    expect(answer.json).toEqual({
      FailedEntryCount: 1,
      FailedEntries: [
        {
          TargetId: 'shaped',
          ErrorCode: 'ValidationException',
          ErrorMessage:
            'Vigil does not support InputTransformer on targets; it supports Input and InputPath.',
        },
      ],
    });
    expect(store.listTargets('r')).toEqual([{ id: 'ok', arn: QUEUE }]);
  });

  it('tests events that carry the envelope’s required fields', async () => {
    const event = {
      id: '1',
      account: ACCOUNT,
      source: 'aws.s3',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      'detail-type': 'Object Created',
    };
    const pattern = '{"source":["aws.s3"]}';
    expect(
      (await call('TestEventPattern', { EventPattern: pattern, Event: JSON.stringify(event) }))
        .json,
    ).toEqual({
      Result: true,
    });
    const { region: _region, ...regionless } = event;
    expectError(
      await call('TestEventPattern', { EventPattern: pattern, Event: JSON.stringify(regionless) }),
      'ValidationException',
      'Parameter Event is not valid. Reason: Provided Event is missing required field region.',
    );
    expectError(
      await call('TestEventPattern', { EventPattern: pattern, Event: 'not json' }),
      'ValidationException',
      'Parameter Event is not valid.',
    );
  });
});
