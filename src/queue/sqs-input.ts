/**
 * Reading an SQS JSON request body: typed members with SQS's errors for missing and
 * malformed ones (pure).
 */
import { QueueError, type MessageAttributes } from './types.js';

type Json = Record<string, unknown>;

/** The members of one JSON object of the request (the body, or one batch entry). */
export class Input {
  constructor(readonly members: Json) {}

  /** Parses a request body; an empty body is an empty object, as the SDK sends for no input. */
  static parse(body: Buffer): Input {
    if (body.length === 0) return new Input({});
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new QueueError('InvalidParameterValue', 'The request body is not valid JSON.');
    }
    if (!isObject(parsed)) {
      throw new QueueError('InvalidParameterValue', 'The request body must be a JSON object.');
    }
    return new Input(parsed);
  }

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined) throw missing(name);
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.members[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw wrongType(name, 'a string');
    return value;
  }

  integer(name: string): number {
    const value = this.optionalInteger(name);
    if (value === undefined) throw missing(name);
    return value;
  }

  optionalInteger(name: string): number | undefined {
    const value = this.members[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(name, 'an integer');
    return value;
  }

  stringList(name: string): string[] {
    const value = this.members[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      throw wrongType(name, 'a list of strings');
    }
    return value;
  }

  stringMap(name: string): Record<string, string> {
    const value = this.members[name];
    if (value === undefined || value === null) return {};
    if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
      throw wrongType(name, 'a map of strings');
    }
    return value as Record<string, string>;
  }

  /** A batch's entries, each an `Input`. */
  entries(name: string): Input[] {
    const value = this.members[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every(isObject)) throw wrongType(name, 'a list of objects');
    return value.map((entry) => new Input(entry));
  }

  has(name: string): boolean {
    return this.members[name] !== undefined && this.members[name] !== null;
  }

  /**
   * Message attributes in the JSON shape `{ Name: { DataType, StringValue | BinaryValue } }`,
   * binary values in base64. The list values SQS reserves for future use are refused.
   */
  messageAttributes(name: string): MessageAttributes | undefined {
    const value = this.members[name];
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) throw wrongType(name, 'a map of message attributes');
    const attributes: MessageAttributes = {};
    for (const [key, raw] of Object.entries(value)) {
      if (!isObject(raw)) throw wrongType(`${name}.${key}`, 'a message attribute value');
      const entry = new Input(raw);
      if (entry.has('StringListValues') || entry.has('BinaryListValues')) {
        throw new QueueError(
          'InvalidParameterValue',
          `Message attribute '${key}': StringListValues and BinaryListValues are reserved for future use and not supported.`,
        );
      }
      const dataType = entry.optionalString('DataType');
      if (dataType === undefined) {
        throw new QueueError(
          'InvalidParameterValue',
          `The message attribute '${key}' must contain a non-empty message attribute type.`,
        );
      }
      const stringValue = entry.optionalString('StringValue');
      const binaryValue = entry.optionalString('BinaryValue');
      attributes[key] = {
        DataType: dataType,
        ...(stringValue !== undefined ? { StringValue: stringValue } : {}),
        ...(binaryValue !== undefined
          ? { BinaryValue: decodeBase64(`${name}.${key}`, binaryValue) }
          : {}),
      };
    }
    return attributes;
  }
}

function decodeBase64(name: string, value: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw wrongType(name, 'base64');
  }
  return Buffer.from(value, 'base64');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function missing(name: string): QueueError {
  return new QueueError('MissingParameter', `The request must contain the parameter ${name}.`);
}

function wrongType(name: string, expected: string): QueueError {
  return new QueueError(
    'InvalidParameterValue',
    `The value of parameter ${name} is invalid: expected ${expected}.`,
  );
}
