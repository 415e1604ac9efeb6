import { describe, expect, it } from 'vitest';
import { md5Hex, md5OfMessageAttributes } from './md5.js';
import type { MessageAttributes } from './types.js';

const text = (StringValue: string, DataType = 'String') => ({ DataType, StringValue });

describe('md5OfMessageAttributes', () => {
  // Digests returned by Amazon SQS itself (recorded responses in LocalStack's AWS-validated
  // snapshots) and by the aws-md5-of-message-attributes package's examples.
  it.each<[string, MessageAttributes, string]>([
    ['one string', { Foo: text('Bar') }, 'ae7155c6026991b6d54b11589678bf9c'],
    [
      'three strings, sorted by name',
      { 'Help.Me': text('Me'), Hello: text('There'), General: text('Kenobi') },
      '4c360f3fdafd970e05fae2f149d997f5',
    ],
    [
      'two strings',
      { Hello: text('There'), General: text('Kenobi') },
      'fca026605781cb4126a1e9044df24232',
    ],
    [
      'a custom number type',
      { customNumberTypeAttrib: text('4563442423554324324264524243.32543234', 'Number.float') },
      '9fe1b90bbd9965bdf77bac517c7d2495',
    ],
    [
      'a binary value',
      { binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!') } },
      '31a92b15d92f8db860eda32aceb656c3',
    ],
    [
      'mixed types',
      {
        attribName1: text('attribValue 1'),
        customNumberTypeAttrib: text('4563442423554324324264524243.32543234', 'Number.float'),
        binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!') },
      },
      'c932db14a896c663f83c260297d594ff',
    ],
  ])('%s', (_name, attributes, expected) => {
    expect(md5OfMessageAttributes(attributes)).toBe(expected);
  });

  it('is undefined without attributes', () => {
    expect(md5OfMessageAttributes({})).toBeUndefined();
  });
});

describe('md5Hex', () => {
  it('digests the UTF-8 bytes of the body', () => {
    expect(md5Hex('msg')).toBe('6e2baaf3b97dbeef01c0043275f9a0e7');
    expect(md5Hex('test')).toBe('098f6bcd4621d373cade4e832627b4f6');
    // UTF-8 bytes c3 a9, not Latin-1 e9 (which digests to 3406877694691ddd1dfb0aca54681407).
    expect(md5Hex('é')).toBe('66ddcd97cfdeabb2f6fb8a999b4bc76f');
  });
});
