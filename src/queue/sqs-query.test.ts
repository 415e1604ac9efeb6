import { existsSync, readFileSync } from 'node:fs';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { Input } from './sqs-input.js';
import { MESSAGE_OPERATIONS } from './sqs-message-operations.js';
import { isSqsQueryRequest } from './sqs-query.js';
import {
  QUERY_SHAPES,
  SQS_QUERY_NAMESPACE,
  decodeQueryInput,
  escapeText,
  queryErrorXml,
  queryResponseXml,
  type Field,
  type Members,
} from './sqs-query-wire.js';
import { QUEUE_OPERATIONS } from './sqs-queue-operations.js';
import { QueueError } from './types.js';

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

describe('which requests the query route takes', () => {
  const request = (method: string, url: string, headers: Record<string, string> = {}) => ({
    method,
    url,
    headers: { 'content-type': FORM, ...headers },
  });
  it.each([
    ['botocore, at the endpoint root', request('POST', '/'), true],
    ['an older SDK, at a queue URL', request('POST', '/123456789012/orders'), true],
    ['a queue URL with a trailing slash', request('POST', '/123456789012/orders/'), true],
    [
      'the content type in capitals',
      request('POST', '/', { 'content-type': 'APPLICATION/X-WWW-FORM-URLENCODED' }),
      true,
    ],
    ['a GET', request('GET', '/'), false],
    ['the JSON protocol', request('POST', '/', { 'x-amz-target': 'AmazonSQS.ListQueues' }), false],
    [
      'an S3 form upload',
      request('POST', '/', { 'content-type': 'multipart/form-data; boundary=x' }),
      false,
    ],
    ['a bucket', request('POST', '/my-bucket'), false],
    ['a key of a bucket that is not an account', request('POST', '/my-bucket/orders'), false],
    ['CreateMultipartUpload', request('POST', '/123456789012/orders?uploads'), false],
    ['CompleteMultipartUpload', request('POST', '/123456789012/orders?uploadId=1'), false],
    ['DeleteObjects', request('POST', '/?delete'), false],
    ['a deeper key', request('POST', '/123456789012/orders/more'), false],
    ['no content type', { method: 'POST', url: '/', headers: {} }, false],
    [
      'a content type that only starts alike',
      request('POST', '/', { 'content-type': 'application/x-www-form-urlencodedx' }),
      false,
    ],
  ])('%s → %s', (_name, req, expected) => {
    expect(isSqsQueryRequest(req)).toBe(expected);
  });
});

const decode = (action: string, body: string) =>
  decodeQueryInput(QUERY_SHAPES[action]!.input, new URLSearchParams(body));

describe('query parameters in', () => {
  it.each<[string, string, Record<string, unknown>]>([
    [
      'CreateQueue',
      'Action=CreateQueue&Version=2012-11-05&QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=60&Attribute.2.Name=DelaySeconds&Attribute.2.Value=5&Tag.1.Key=team&Tag.1.Value=a',
      {
        QueueName: 'q',
        Attributes: { VisibilityTimeout: '60', DelaySeconds: '5' },
        tags: { team: 'a' },
      },
    ],
    [
      'GetQueueUrl',
      'QueueName=q&QueueOwnerAWSAccountId=123456789012',
      { QueueName: 'q', QueueOwnerAWSAccountId: '123456789012' },
    ],
    [
      'ListQueues',
      'QueueNamePrefix=p&MaxResults=2&NextToken=t',
      { QueueNamePrefix: 'p', MaxResults: 2, NextToken: 't' },
    ],
    [
      'GetQueueAttributes',
      'QueueUrl=http%3A%2F%2Fh%2F123456789012%2Fq&AttributeName.1=All&AttributeName.2=QueueArn',
      { QueueUrl: 'http://h/123456789012/q', AttributeNames: ['All', 'QueueArn'] },
    ],
    [
      'SetQueueAttributes',
      'QueueUrl=u&Attribute.1.Name=RedrivePolicy&Attribute.1.Value=',
      { QueueUrl: 'u', Attributes: { RedrivePolicy: '' } },
    ],
    [
      'ReceiveMessage',
      'QueueUrl=u&AttributeName.1=All&MessageAttributeName.1=trace.*&MessageAttributeName.2=k&MaxNumberOfMessages=10&VisibilityTimeout=0&WaitTimeSeconds=1',
      {
        QueueUrl: 'u',
        AttributeNames: ['All'],
        MessageAttributeNames: ['trace.*', 'k'],
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 1,
      },
    ],
    [
      'SendMessage',
      'QueueUrl=u&MessageBody=a+b%26c%0D%0A&DelaySeconds=3&MessageAttribute.1.Name=k&MessageAttribute.1.Value.StringValue=v&MessageAttribute.1.Value.DataType=String&MessageAttribute.2.Name=b&MessageAttribute.2.Value.BinaryValue=AAE%3D&MessageAttribute.2.Value.DataType=Binary&MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.StringValue=Root%3D1&MessageSystemAttribute.1.Value.DataType=String&MessageGroupId=g',
      {
        QueueUrl: 'u',
        MessageBody: 'a b&c\r\n',
        DelaySeconds: 3,
        MessageAttributes: {
          k: { StringValue: 'v', DataType: 'String' },
          b: { BinaryValue: 'AAE=', DataType: 'Binary' },
        },
        MessageSystemAttributes: { AWSTraceHeader: { StringValue: 'Root=1', DataType: 'String' } },
        MessageGroupId: 'g',
      },
    ],
    [
      'SendMessageBatch',
      'QueueUrl=u&SendMessageBatchRequestEntry.2.Id=second&SendMessageBatchRequestEntry.2.MessageBody=y&SendMessageBatchRequestEntry.1.Id=first&SendMessageBatchRequestEntry.1.MessageBody=x&SendMessageBatchRequestEntry.1.DelaySeconds=1&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=n&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=42&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=Number',
      {
        QueueUrl: 'u',
        Entries: [
          {
            Id: 'first',
            MessageBody: 'x',
            DelaySeconds: 1,
            MessageAttributes: { n: { StringValue: '42', DataType: 'Number' } },
          },
          { Id: 'second', MessageBody: 'y' },
        ],
      },
    ],
    ['DeleteMessage', 'QueueUrl=u&ReceiptHandle=r%2B1', { QueueUrl: 'u', ReceiptHandle: 'r+1' }],
    [
      'DeleteMessageBatch',
      'QueueUrl=u&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=r1&DeleteMessageBatchRequestEntry.2.Id=b&DeleteMessageBatchRequestEntry.2.ReceiptHandle=r2',
      {
        QueueUrl: 'u',
        Entries: [
          { Id: 'a', ReceiptHandle: 'r1' },
          { Id: 'b', ReceiptHandle: 'r2' },
        ],
      },
    ],
    [
      'ChangeMessageVisibility',
      'QueueUrl=u&ReceiptHandle=r&VisibilityTimeout=0',
      { QueueUrl: 'u', ReceiptHandle: 'r', VisibilityTimeout: 0 },
    ],
    [
      'ChangeMessageVisibilityBatch',
      'QueueUrl=u&ChangeMessageVisibilityBatchRequestEntry.1.Id=a&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=r&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=60',
      { QueueUrl: 'u', Entries: [{ Id: 'a', ReceiptHandle: 'r', VisibilityTimeout: 60 }] },
    ],
    ['PurgeQueue', 'QueueUrl=u', { QueueUrl: 'u' }],
    ['DeleteQueue', 'QueueUrl=u', { QueueUrl: 'u' }],
  ])('%s', (action, body, expected) => {
    expect(decode(action, body)).toEqual(expected);
  });

  it('ignores unknown parameters, the empty-list marker and indices that are not 1, 2, …', () => {
    expect(
      decode(
        'ReceiveMessage',
        'Action=ReceiveMessage&Version=2012-11-05&QueueUrl=u&Foo=1&AttributeNames=&AttributeName.0=x&AttributeName.01=y&AttributeName.z=w&AttributeName.10=ten&AttributeName.2=two',
      ),
    ).toEqual({ QueueUrl: 'u', AttributeNames: ['two', 'ten'] });
  });

  it('keeps the first of a repeated parameter', () => {
    expect(decode('PurgeQueue', 'QueueUrl=first&QueueUrl=second')).toEqual({ QueueUrl: 'first' });
  });

  it('reads an empty batch as no entries, which the operation refuses as SQS does', () => {
    expect(decode('DeleteMessageBatch', 'QueueUrl=u&Entries=')).toEqual({ QueueUrl: 'u' });
  });

  it('leaves an integer that does not parse as a string, for the operation to refuse', () => {
    const members = decode('ReceiveMessage', 'QueueUrl=u&MaxNumberOfMessages=ten');
    expect(members).toEqual({ QueueUrl: 'u', MaxNumberOfMessages: 'ten' });
    expect(() => new Input(members).optionalInteger('MaxNumberOfMessages')).toThrow(
      expect.objectContaining({ code: 'InvalidParameterValue' }),
    );
  });

  it.each([
    ['CreateQueue', 'QueueName=q&Attribute.1.Value=60', 'Attribute.1.Name'],
    ['CreateQueue', 'QueueName=q&Attribute.1.Name=DelaySeconds', 'Attribute.1.Value'],
    ['CreateQueue', 'QueueName=q&Tag.2.Value=a', 'Tag.2.Key'],
    [
      'SendMessageBatch',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name',
    ],
  ])('%s with %s is missing %s', (action, body, name) => {
    let error: unknown;
    try {
      decode(action, body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QueueError);
    expect(error).toMatchObject({
      code: 'MissingParameter',
      message: `The request must contain the parameter ${name}.`,
    });
  });

  it('reads a message attribute without a value as one without a data type', () => {
    const members = decode('SendMessage', 'QueueUrl=u&MessageBody=x&MessageAttribute.1.Name=k');
    expect(members).toEqual({ QueueUrl: 'u', MessageBody: 'x', MessageAttributes: { k: {} } });
    expect(() => new Input(members).messageAttributes('MessageAttributes')).toThrow(
      "The message attribute 'k' must contain a non-empty message attribute type.",
    );
  });
});

const xml = (action: string, result: string | undefined) =>
  `<?xml version="1.0"?>\n<${action}Response xmlns="${SQS_QUERY_NAMESPACE}">` +
  (result === undefined
    ? ''
    : result === ''
      ? `<${action}Result/>`
      : `<${action}Result>${result}</${action}Result>`) +
  `<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></${action}Response>`;

describe('query XML out', () => {
  it.each<[string, Record<string, unknown>, string | undefined]>([
    ['CreateQueue', { QueueUrl: 'http://h/1/q' }, '<QueueUrl>http://h/1/q</QueueUrl>'],
    ['GetQueueUrl', { QueueUrl: 'http://h/1/q' }, '<QueueUrl>http://h/1/q</QueueUrl>'],
    [
      'ListQueues',
      { QueueUrls: ['http://h/1/a', 'http://h/1/b'], NextToken: 't' },
      '<QueueUrl>http://h/1/a</QueueUrl><QueueUrl>http://h/1/b</QueueUrl><NextToken>t</NextToken>',
    ],
    ['ListQueues', {}, ''],
    [
      'GetQueueAttributes',
      { Attributes: { QueueArn: 'arn:aws:sqs:r:1:q', VisibilityTimeout: '30' } },
      '<Attribute><Name>QueueArn</Name><Value>arn:aws:sqs:r:1:q</Value></Attribute><Attribute><Name>VisibilityTimeout</Name><Value>30</Value></Attribute>',
    ],
    ['GetQueueAttributes', {}, ''],
    ['SetQueueAttributes', {}, undefined],
    [
      'SendMessage',
      { MessageId: 'm', MD5OfMessageBody: 'b', MD5OfMessageAttributes: 'a' },
      '<MessageId>m</MessageId><MD5OfMessageBody>b</MD5OfMessageBody><MD5OfMessageAttributes>a</MD5OfMessageAttributes>',
    ],
    [
      'SendMessageBatch',
      {
        Successful: [{ Id: 'a', MessageId: 'm', MD5OfMessageBody: 'b' }],
        Failed: [{ Id: 'b', SenderFault: true, Code: 'InvalidParameterValue', Message: 'x < y' }],
      },
      '<SendMessageBatchResultEntry><Id>a</Id><MessageId>m</MessageId><MD5OfMessageBody>b</MD5OfMessageBody></SendMessageBatchResultEntry>' +
        '<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>InvalidParameterValue</Code><Message>x &lt; y</Message></BatchResultErrorEntry>',
    ],
    [
      'ReceiveMessage',
      {
        Messages: [
          {
            MessageId: 'm',
            ReceiptHandle: 'r',
            MD5OfBody: 'd',
            Body: 'a\r\n<b>&',
            Attributes: { SenderId: 'AK', SentTimestamp: '1' },
            MD5OfMessageAttributes: 'e',
            MessageAttributes: {
              k: { DataType: 'String', StringValue: 'v' },
              b: { DataType: 'Binary', BinaryValue: 'AAE=' },
            },
          },
          { MessageId: 'n', ReceiptHandle: 's', MD5OfBody: 'f', Body: '' },
        ],
      },
      '<Message><MessageId>m</MessageId><ReceiptHandle>r</ReceiptHandle><MD5OfBody>d</MD5OfBody><Body>a&#xD;\n&lt;b&gt;&amp;</Body>' +
        '<Attribute><Name>SenderId</Name><Value>AK</Value></Attribute><Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>' +
        '<MD5OfMessageAttributes>e</MD5OfMessageAttributes>' +
        '<MessageAttribute><Name>k</Name><Value><DataType>String</DataType><StringValue>v</StringValue></Value></MessageAttribute>' +
        '<MessageAttribute><Name>b</Name><Value><DataType>Binary</DataType><BinaryValue>AAE=</BinaryValue></Value></MessageAttribute></Message>' +
        '<Message><MessageId>n</MessageId><ReceiptHandle>s</ReceiptHandle><MD5OfBody>f</MD5OfBody><Body></Body></Message>',
    ],
    ['ReceiveMessage', {}, ''],
    ['DeleteMessage', {}, undefined],
    [
      'DeleteMessageBatch',
      {
        Successful: [{ Id: 'a' }],
        Failed: [{ Id: 'b', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'no' }],
      },
      '<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>' +
        '<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>ReceiptHandleIsInvalid</Code><Message>no</Message></BatchResultErrorEntry>',
    ],
    [
      'ChangeMessageVisibilityBatch',
      { Successful: [{ Id: 'a' }, { Id: 'b' }], Failed: [] },
      '<ChangeMessageVisibilityBatchResultEntry><Id>a</Id></ChangeMessageVisibilityBatchResultEntry><ChangeMessageVisibilityBatchResultEntry><Id>b</Id></ChangeMessageVisibilityBatchResultEntry>',
    ],
    ['ChangeMessageVisibility', {}, undefined],
    ['PurgeQueue', {}, undefined],
    ['DeleteQueue', {}, undefined],
  ])('%s %j', (action, output, result) => {
    const written = queryResponseXml(action, output, 'req-1');
    expect(written).toBe(xml(action, result));
    expect(XMLValidator.validate(written)).toBe(true);
  });

  it('writes the error document SQS writes', () => {
    const written = queryErrorXml(
      {
        fault: 'Sender',
        code: 'AWS.SimpleQueueService.NonExistentQueue',
        message: 'The specified queue does not exist.',
      },
      'req-2',
    );
    expect(written).toBe(
      `<?xml version="1.0"?>\n<ErrorResponse xmlns="${SQS_QUERY_NAMESPACE}"><Error><Type>Sender</Type>` +
        '<Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist.</Message>' +
        '<Detail/></Error><RequestId>req-2</RequestId></ErrorResponse>',
    );
    expect(XMLValidator.validate(written)).toBe(true);
  });

  it('escapes markup and carriage returns, and leaves everything else as it is', () => {
    expect(escapeText('a&b<c>d\re\nf\tg"h\'i é 😀')).toBe(
      'a&amp;b&lt;c&gt;d&#xD;e\nf\tg"h\'i é 😀',
    );
  });

  it('refuses output it has no shape for, rather than dropping it', () => {
    expect(() => queryResponseXml('SendMessage', { MessageId: 'm', Extra: 'x' }, 'r')).toThrow(
      'output member Extra has no query shape',
    );
    expect(() => queryResponseXml('DeleteMessage', { Extra: 'x' }, 'r')).toThrow(
      'the SQS action DeleteMessage has no query output, got Extra',
    );
  });
});

describe('query shapes', () => {
  it('cover exactly the operations the JSON route runs', () => {
    expect(Object.keys(QUERY_SHAPES).sort()).toEqual(
      Object.keys({ ...QUEUE_OPERATIONS, ...MESSAGE_OPERATIONS }).sort(),
    );
  });

  // botocore's last query-protocol model of SQS, as Debian's awscli 2.9 (and CI) ship it.
  const MODEL_PATHS = [
    '/usr/lib/python3/dist-packages/awscli/botocore/data/sqs/2012-11-05/service-2.json',
    '/usr/lib/python3/dist-packages/botocore/data/sqs/2012-11-05/service-2.json',
  ];
  const model = MODEL_PATHS.filter(existsSync)
    .map((path) => JSON.parse(readFileSync(path, 'utf8')) as BotocoreModel)
    .find((m) => m.metadata.protocol === 'query');
  if (!model) console.warn('sqs-query: no botocore query model of SQS here; shape check skipped');

  /** Model members Vigil does not read or write (FIFO-only, or newer than Vigil's queues). */
  const LEFT_OUT = [
    'ReceiveMessage.input.ReceiveRequestAttemptId',
    'SendMessage.output.SequenceNumber',
    'SendMessageBatch.output.Successful.SequenceNumber',
  ];

  it.skipIf(!model)('agree with botocore query model of SQS 2012-11-05', () => {
    const leftOut: string[] = [];
    for (const [action, shape] of Object.entries(QUERY_SHAPES)) {
      const operation = model!.operations[action]!;
      const input = modelMembers(model!, operation.input.shape);
      expect(restrict(input, shape.input, `${action}.input`, leftOut), action).toEqual(shape.input);
      expect(operation.output === undefined, `${action} has an output`).toBe(!shape.output);
      if (operation.output && shape.output) {
        expect(operation.output.resultWrapper).toBe(`${action}Result`);
        const output = modelMembers(model!, operation.output.shape);
        expect(restrict(output, shape.output, `${action}.output`, leftOut), action).toEqual(
          shape.output,
        );
      }
    }
    expect(leftOut.sort()).toEqual([...LEFT_OUT].sort());
    expect(model!.metadata.xmlNamespace).toBe(SQS_QUERY_NAMESPACE);
  });
});

interface ModelRef {
  shape: string;
  locationName?: string;
  flattened?: boolean;
}
interface ModelShape {
  type: string;
  members?: Record<string, ModelRef>;
  member?: ModelRef;
  key?: ModelRef;
  value?: ModelRef;
  flattened?: boolean;
  locationName?: string;
}
interface BotocoreModel {
  metadata: { protocol: string; xmlNamespace: string };
  operations: Record<
    string,
    { input: { shape: string }; output?: { shape: string; resultWrapper: string } }
  >;
  shapes: Record<string, ModelShape>;
}

/** A botocore structure as `Members`, with the wire names botocore's query serializer uses. */
function modelMembers(model: BotocoreModel, name: string): Members {
  const shape = model.shapes[name]!;
  return Object.fromEntries(
    Object.entries(shape.members ?? {}).map(([member, ref]) => {
      const type = model.shapes[ref.shape]!.type;
      // Only lists and maps are renamed on SQS's wire; `Members` has no room for anything else.
      if (ref.locationName && type !== 'list' && type !== 'map') {
        throw new Error(`${name}.${member}: a renamed ${type}`);
      }
      return [member, modelField(model, member, ref)];
    }),
  );
}

function modelField(model: BotocoreModel, member: string, ref: ModelRef): Field {
  const shape = model.shapes[ref.shape]!;
  switch (shape.type) {
    case 'string':
    case 'blob':
      return 'string';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'structure':
      return { members: modelMembers(model, ref.shape) };
    case 'list':
      if (!(ref.flattened ?? shape.flattened) || !shape.member!.locationName) {
        throw new Error(`${member}: a list that is not flattened and named`);
      }
      return {
        list: shape.member!.locationName,
        member: modelField(model, shape.member!.locationName, shape.member!),
      };
    case 'map':
      if (!(ref.flattened ?? shape.flattened) || shape.value!.locationName !== 'Value') {
        throw new Error(`${member}: a map that is not flattened with Value`);
      }
      return {
        map: ref.locationName ?? shape.locationName ?? member,
        key: shape.key!.locationName!,
        value: modelField(model, 'Value', shape.value!),
      };
    default:
      throw new Error(`${member}: unexpected type ${shape.type}`);
  }
}

/** The model's members cut down to those of `ours`, recording what was cut. */
function restrict(model: Members, ours: Members, path: string, cut: string[]): Members {
  const kept: Record<string, Field> = {};
  for (const [name, field] of Object.entries(model)) {
    const mine = ours[name];
    if (mine === undefined) {
      cut.push(`${path}.${name}`);
      continue;
    }
    kept[name] = restrictField(field, mine, `${path}.${name}`, cut);
  }
  return kept;
}

function restrictField(field: Field, mine: Field, path: string, cut: string[]): Field {
  if (typeof field === 'string' || typeof mine === 'string') return field;
  if ('members' in field && 'members' in mine) {
    return { members: restrict(field.members, mine.members, path, cut) };
  }
  if ('list' in field && 'list' in mine) {
    return { ...field, member: restrictField(field.member, mine.member, path, cut) };
  }
  if ('map' in field && 'map' in mine) {
    return { ...field, value: restrictField(field.value, mine.value, path, cut) };
  }
  return field;
}
