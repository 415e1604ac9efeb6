/**
 * The wire forms of SQS's query protocol (pure): form parameters such as `Attribute.1.Name`
 * read into the members the JSON operations take, and their output written as query XML.
 * Names follow botocore's query model of SQS 2012-11-05 (`locationName`, `flattened`): every
 * list and map of SQS is flattened, so `AttributeNames: ['All']` travels as
 * `AttributeName.1=All` and comes back as repeated `<Attribute><Name>…</Name><Value>…</Value>`.
 */
import { QueueError } from './types.js';

export const SQS_QUERY_NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** Base64 blobs are `string`: the JSON members carry them in base64 too. */
export type Scalar = 'string' | 'integer' | 'boolean';
/** A flattened list: parameters `<list>.1`, `<list>.2`…; repeated `<list>` elements. */
export interface ListField {
  list: string;
  member: Field;
}
/** A flattened map: `<map>.N.<key>` and `<map>.N.Value…`; repeated `<map>` elements. */
export interface MapField {
  map: string;
  key: string;
  value: Field;
}
export interface StructureField {
  members: Members;
}
export type Field = Scalar | ListField | MapField | StructureField;
/** JSON member name to field; a scalar or structure keeps the member's name on the wire. */
export type Members = Readonly<Record<string, Field>>;

export interface QueryShape {
  input: Members;
  /** The members inside `<Action>Result`; absent when SQS sends no result element. */
  output?: Members;
}

const attributeMap = (map: string): MapField => ({ map, key: 'Name', value: 'string' });
const messageAttributeValue: Members = {
  StringValue: 'string',
  BinaryValue: 'string',
  StringListValues: { list: 'StringListValue', member: 'string' },
  BinaryListValues: { list: 'BinaryListValue', member: 'string' },
  DataType: 'string',
};
const messageAttributes = (map: string): MapField => ({
  map,
  key: 'Name',
  value: { members: messageAttributeValue },
});
const sendEntry: Members = {
  Id: 'string',
  MessageBody: 'string',
  DelaySeconds: 'integer',
  MessageAttributes: messageAttributes('MessageAttribute'),
  MessageSystemAttributes: messageAttributes('MessageSystemAttribute'),
  MessageDeduplicationId: 'string',
  MessageGroupId: 'string',
};
const sent: Members = {
  MessageId: 'string',
  MD5OfMessageBody: 'string',
  MD5OfMessageAttributes: 'string',
  MD5OfMessageSystemAttributes: 'string',
};
const batchErrors: ListField = {
  list: 'BatchResultErrorEntry',
  member: { members: { Id: 'string', SenderFault: 'boolean', Code: 'string', Message: 'string' } },
};
const idEntries = (list: string): ListField => ({ list, member: { members: { Id: 'string' } } });
const queueUrl: Members = { QueueUrl: 'string' };

/** Every operation Vigil serves, with its query input and output. */
export const QUERY_SHAPES: Readonly<Record<string, QueryShape>> = {
  CreateQueue: {
    input: {
      QueueName: 'string',
      Attributes: attributeMap('Attribute'),
      tags: { map: 'Tag', key: 'Key', value: 'string' },
    },
    output: queueUrl,
  },
  GetQueueUrl: {
    input: { QueueName: 'string', QueueOwnerAWSAccountId: 'string' },
    output: queueUrl,
  },
  ListQueues: {
    input: { QueueNamePrefix: 'string', NextToken: 'string', MaxResults: 'integer' },
    output: { QueueUrls: { list: 'QueueUrl', member: 'string' }, NextToken: 'string' },
  },
  GetQueueAttributes: {
    input: { ...queueUrl, AttributeNames: { list: 'AttributeName', member: 'string' } },
    output: { Attributes: attributeMap('Attribute') },
  },
  SetQueueAttributes: { input: { ...queueUrl, Attributes: attributeMap('Attribute') } },
  SendMessage: { input: { ...queueUrl, ...omit(sendEntry, 'Id') }, output: sent },
  SendMessageBatch: {
    input: {
      ...queueUrl,
      Entries: { list: 'SendMessageBatchRequestEntry', member: { members: sendEntry } },
    },
    output: {
      Successful: {
        list: 'SendMessageBatchResultEntry',
        member: { members: { Id: 'string', ...sent } },
      },
      Failed: batchErrors,
    },
  },
  ReceiveMessage: {
    input: {
      ...queueUrl,
      AttributeNames: { list: 'AttributeName', member: 'string' },
      MessageAttributeNames: { list: 'MessageAttributeName', member: 'string' },
      MaxNumberOfMessages: 'integer',
      VisibilityTimeout: 'integer',
      WaitTimeSeconds: 'integer',
    },
    output: {
      Messages: {
        list: 'Message',
        member: {
          members: {
            MessageId: 'string',
            ReceiptHandle: 'string',
            MD5OfBody: 'string',
            Body: 'string',
            Attributes: attributeMap('Attribute'),
            MD5OfMessageAttributes: 'string',
            MessageAttributes: messageAttributes('MessageAttribute'),
          },
        },
      },
    },
  },
  DeleteMessage: { input: { ...queueUrl, ReceiptHandle: 'string' } },
  DeleteMessageBatch: {
    input: {
      ...queueUrl,
      Entries: {
        list: 'DeleteMessageBatchRequestEntry',
        member: { members: { Id: 'string', ReceiptHandle: 'string' } },
      },
    },
    output: { Successful: idEntries('DeleteMessageBatchResultEntry'), Failed: batchErrors },
  },
  ChangeMessageVisibility: {
    input: { ...queueUrl, ReceiptHandle: 'string', VisibilityTimeout: 'integer' },
  },
  ChangeMessageVisibilityBatch: {
    input: {
      ...queueUrl,
      Entries: {
        list: 'ChangeMessageVisibilityBatchRequestEntry',
        member: {
          members: { Id: 'string', ReceiptHandle: 'string', VisibilityTimeout: 'integer' },
        },
      },
    },
    output: {
      Successful: idEntries('ChangeMessageVisibilityBatchResultEntry'),
      Failed: batchErrors,
    },
  },
  PurgeQueue: { input: queueUrl },
  DeleteQueue: { input: queueUrl },
};

function omit(members: Members, name: string): Members {
  return Object.fromEntries(Object.entries(members).filter(([key]) => key !== name));
}

// ---------------------------------------------------------------------------------------
// Form parameters in

interface ParamNode {
  value?: string;
  children: Map<string, ParamNode>;
}

/**
 * Reads an action's form parameters into the JSON members its operation takes. Integers that
 * do not parse stay strings, so the operation refuses them as it refuses a JSON string.
 * Parameters the action does not know are ignored; list and map indices are taken in
 * numeric order.
 *
 * @example
 * decodeQueryInput(QUERY_SHAPES.ReceiveMessage.input,
 *   new URLSearchParams('QueueUrl=u&AttributeName.1=All&MaxNumberOfMessages=10'));
 * // { QueueUrl: 'u', AttributeNames: ['All'], MaxNumberOfMessages: 10 }
 * @throws QueueError `MissingParameter` for a map entry without its name or string value.
 */
export function decodeQueryInput(
  members: Members,
  params: Iterable<[string, string]>,
): Record<string, unknown> {
  const root: ParamNode = { children: new Map() };
  for (const [name, value] of params) {
    let node = root;
    for (const part of name.split('.')) {
      let child = node.children.get(part);
      if (!child) node.children.set(part, (child = { children: new Map() }));
      node = child;
    }
    // A repeated parameter counts once, as URLSearchParams.get reads it.
    node.value ??= value;
  }
  return decodeMembers(root, members, '');
}

function decodeMembers(node: ParamNode, members: Members, path: string): Record<string, unknown> {
  const decoded: Record<string, unknown> = {};
  for (const [member, field] of Object.entries(members)) {
    const name = wireName(member, field);
    const child = node.children.get(name);
    if (!child) continue;
    const value = decodeField(child, field, `${path}${name}`);
    if (value !== undefined) decoded[member] = value;
  }
  return decoded;
}

function decodeField(node: ParamNode, field: Field, path: string): unknown {
  if (field === 'string') return node.value;
  if (field === 'integer') return node.value !== undefined ? integerOf(node.value) : undefined;
  if (field === 'boolean') {
    return node.value === 'true' ? true : node.value === 'false' ? false : node.value;
  }
  if ('members' in field) return decodeMembers(node, field.members, `${path}.`);
  const items = indexed(node);
  if ('list' in field) {
    return items.map(([i, item]) => decodeField(item, field.member, `${path}.${i}`));
  }
  const map: Record<string, unknown> = {};
  for (const [i, entry] of items) {
    const key = entry.children.get(field.key)?.value;
    if (key === undefined) throw missing(`${path}.${i}.${field.key}`);
    const valueNode = entry.children.get('Value') ?? { children: new Map<string, ParamNode>() };
    const value = decodeField(valueNode, field.value, `${path}.${i}.Value`);
    if (value === undefined) throw missing(`${path}.${i}.Value`);
    map[key] = value;
  }
  return map;
}

function integerOf(value: string): number | string {
  return /^-?\d{1,15}$/.test(value) ? Number(value) : value;
}

/** The numbered children of a list or map parameter, in numeric order. */
function indexed(node: ParamNode): [number, ParamNode][] {
  return [...node.children]
    .filter(([index]) => /^[1-9]\d{0,8}$/.test(index))
    .map(([index, child]): [number, ParamNode] => [Number(index), child])
    .sort(([a], [b]) => a - b);
}

function missing(name: string): QueueError {
  return new QueueError('MissingParameter', `The request must contain the parameter ${name}.`);
}

function wireName(member: string, field: Field): string {
  if (typeof field === 'object' && 'list' in field) return field.list;
  if (typeof field === 'object' && 'map' in field) return field.map;
  return member;
}

// ---------------------------------------------------------------------------------------
// XML out

/** An element: text, or child elements. */
interface XmlElement {
  name: string;
  text?: string;
  children?: XmlElement[];
}

/**
 * `<Action>Response` with `<Action>Result` (when the action has an output) and
 * `ResponseMetadata/RequestId`, as botocore's QueryParser reads it.
 *
 * @throws Error for an output member the action's shape does not declare (a Vigil bug:
 *   the JSON operation gained a member its query shape lacks).
 */
export function queryResponseXml(
  action: string,
  output: Record<string, unknown>,
  requestId: string,
): string {
  const shape = QUERY_SHAPES[action];
  if (!shape) throw new Error(`no query shape for the SQS action ${action}`);
  const children: XmlElement[] = [];
  if (shape.output) {
    children.push({ name: `${action}Result`, children: encodeMembers(output, shape.output) });
  } else if (Object.keys(output).length > 0) {
    throw new Error(
      `the SQS action ${action} has no query output, got ${Object.keys(output).join(', ')}`,
    );
  }
  children.push({
    name: 'ResponseMetadata',
    children: [{ name: 'RequestId', text: requestId }],
  });
  return document({ name: `${action}Response`, children });
}

/** SQS's query error document: `ErrorResponse/Error/{Type,Code,Message,Detail}` and `RequestId`. */
export function queryErrorXml(
  error: { fault: 'Sender' | 'Receiver'; code: string; message: string },
  requestId: string,
): string {
  return document({
    name: 'ErrorResponse',
    children: [
      {
        name: 'Error',
        children: [
          { name: 'Type', text: error.fault },
          { name: 'Code', text: error.code },
          { name: 'Message', text: error.message },
          { name: 'Detail', children: [] },
        ],
      },
      { name: 'RequestId', text: requestId },
    ],
  });
}

function encodeMembers(value: Record<string, unknown>, members: Members): XmlElement[] {
  return Object.entries(value).flatMap(([member, memberValue]) => {
    const field = members[member];
    if (!field) throw new Error(`output member ${member} has no query shape`);
    return memberValue === undefined ? [] : encodeField(member, memberValue, field);
  });
}

function encodeField(name: string, value: unknown, field: Field): XmlElement[] {
  if (typeof field === 'string') return [{ name, text: scalarText(value) }];
  if ('members' in field)
    return [{ name, children: encodeMembers(asRecord(value), field.members) }];
  if ('list' in field) {
    if (!Array.isArray(value)) throw new Error(`output member ${name} is not a list`);
    return value.flatMap((item) => encodeField(field.list, item, field.member));
  }
  return Object.entries(asRecord(value)).map(([key, entry]) => ({
    name: field.map,
    children: [{ name: field.key, text: key }, ...encodeField('Value', entry, field.value)],
  }));
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`output value ${JSON.stringify(value)} is not a scalar`);
}

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`output value ${JSON.stringify(value)} is not a structure`);
  }
  return value as Record<string, unknown>;
}

function document(root: XmlElement): string {
  const attributes = ` xmlns="${SQS_QUERY_NAMESPACE}"`;
  return `<?xml version="1.0"?>\n${render(root, attributes)}`;
}

function render(element: XmlElement, attributes = ''): string {
  const open = `<${element.name}${attributes}`;
  if (element.text !== undefined) return `${open}>${escapeText(element.text)}</${element.name}>`;
  const children = element.children ?? [];
  if (children.length === 0) return `${open}/>`;
  return `${open}>${children.map((child) => render(child)).join('')}</${element.name}>`;
}

/**
 * Escapes element text. A carriage return is written `&#xD;` as SQS writes it: a literal one
 * would reach the client as a line feed (XML end-of-line handling) and break `MD5OfBody`.
 */
export function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;',
  );
}
