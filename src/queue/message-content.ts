/**
 * What a message may contain (pure): SQS's character set for bodies and string values, its
 * rules for message attributes, the size a message counts against MaximumMessageSize, and
 * which attributes a receive asked for.
 */
import { QueueError, type MessageAttributes } from './types.js';

/** Anything outside #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF (lone surrogates too). */
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;
/** SQS numbers: up to 38 significant digits, exponent within ±128. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
export const MAX_MESSAGE_ATTRIBUTES = 10;

/** @throws QueueError `MissingParameter` when empty, `InvalidMessageContents` for a bad character. */
export function assertValidBody(body: string): void {
  if (body.length === 0) {
    throw new QueueError('MissingParameter', 'The request must contain the parameter MessageBody.');
  }
  if (INVALID_CHARACTER.test(body)) throw new QueueError('InvalidMessageContents');
}

/** @throws QueueError `InvalidParameterValue` naming the attribute and the rule it breaks. */
export function assertValidMessageAttributes(attributes: MessageAttributes): void {
  const names = Object.keys(attributes);
  if (names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalid(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  for (const name of names) {
    const attribute = attributes[name]!;
    if (
      !ATTRIBUTE_NAME.test(name) ||
      /^(aws|amazon)\./i.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..')
    ) {
      throw invalid(
        `Message attribute name '${name}' is invalid: use up to 256 letters, digits, '_', '-' or '.', ` +
          `not starting or ending with '.', without '..', and not starting with 'AWS.' or 'Amazon.'.`,
      );
    }
    const type = attribute.DataType;
    const base = DATA_TYPE.exec(type)?.[1];
    if (!base || type.length > 256 || INVALID_CHARACTER.test(type)) {
      throw invalid(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    if (base === 'Binary') {
      if (attribute.StringValue !== undefined || !attribute.BinaryValue?.length) {
        throw invalid(
          `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`,
        );
      }
      continue;
    }
    const value = attribute.StringValue;
    if (attribute.BinaryValue !== undefined || value === undefined || value === '') {
      throw invalid(
        `The message attribute '${name}' must contain a non-empty message attribute value for message attribute type '${base}'.`,
      );
    }
    if (INVALID_CHARACTER.test(value)) {
      throw new QueueError(
        'InvalidMessageContents',
        `The message attribute '${name}' contains invalid characters. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
      );
    }
    if (base === 'Number' && !isSqsNumber(value)) {
      throw invalid(`Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
  }
}

function isSqsNumber(value: string): boolean {
  if (!NUMBER.test(value)) return false;
  const [mantissa = '', exponent = '0'] = value.replace(/^[+-]/, '').toLowerCase().split('e');
  const digits = mantissa.replace('.', '').replace(/^0+/, '');
  return digits.length <= 38 && Math.abs(Number(exponent)) <= 128;
}

/** Bytes counted against MaximumMessageSize: the body plus every attribute's name, type and value. */
export function messageSize(body: string, attributes: MessageAttributes = {}): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.DataType, 'utf8');
    size +=
      attribute.StringValue !== undefined
        ? Buffer.byteLength(attribute.StringValue, 'utf8')
        : (attribute.BinaryValue?.length ?? 0);
  }
  return size;
}

/**
 * The attributes a receive's MessageAttributeNames select: `All`, `*` or `.*` for every one,
 * a name, or a prefix pattern: `Hel.*` selects `Hello` and `Help.Me` (as Amazon SQS does).
 * Names no attribute has, even invalid ones, select nothing.
 */
export function selectMessageAttributes(
  attributes: MessageAttributes,
  requested: readonly string[],
): MessageAttributes {
  if (requested.some((r) => r === 'All' || r === '*' || r === '.*')) return attributes;
  const prefixes = requested.filter((r) => r.endsWith('.*')).map((r) => r.slice(0, -2));
  const selected: MessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (requested.includes(name) || prefixes.some((prefix) => name.startsWith(prefix))) {
      selected[name] = value;
    }
  }
  return selected;
}

function invalid(message: string): QueueError {
  return new QueueError('InvalidParameterValue', message);
}
