/**
 * The MD5 digests SQS returns so that clients can check what it stored: of the body, and of
 * the message (system) attributes in SQS's documented binary encoding.
 */
import { createHash, type Hash } from 'node:crypto';
import type { MessageAttributes } from './types.js';

/** Hex MD5 of a string's UTF-8 bytes (`MD5OfMessageBody`, `MD5OfBody`). */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * `MD5OfMessageAttributes`: attributes sorted by name; for each, the name, the data type and
 * the value, every part as a 4-byte big-endian length followed by its bytes (UTF-8 for text),
 * with a transport-type byte before the value: 1 for a string value, 2 for a binary one.
 * Undefined when there are no attributes (SQS then omits the field).
 *
 * @example
 * md5OfMessageAttributes({ Foo: { DataType: 'String', StringValue: 'Bar' } });
 * // 'ae7155c6026991b6d54b11589678bf9c'
 */
export function md5OfMessageAttributes(attributes: MessageAttributes): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const attribute = attributes[name]!;
    putBytes(hash, Buffer.from(name, 'utf8'));
    putBytes(hash, Buffer.from(attribute.DataType, 'utf8'));
    if (attribute.StringValue !== undefined) {
      hash.update(Uint8Array.of(1));
      putBytes(hash, Buffer.from(attribute.StringValue, 'utf8'));
    } else {
      hash.update(Uint8Array.of(2));
      putBytes(hash, attribute.BinaryValue ?? new Uint8Array());
    }
  }
  return hash.digest('hex');
}

function putBytes(hash: Hash, bytes: Uint8Array): void {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  hash.update(length);
  hash.update(bytes);
}
