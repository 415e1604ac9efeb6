import { describe, expect, it } from 'vitest';
import { EventBridgeError } from './errors.js';
import { parseInputPath, selectInputPath, type InputPath } from './input-path.js';

const event = {
  version: '0',
  'detail-type': 'Object Created',
  detail: { bucket: { name: 'photos' }, object: { key: 'a.jpg', size: 0 }, list: [1] },
};

const parsed = (text: string): InputPath => {
  const path = parseInputPath(text);
  if (path instanceof EventBridgeError) throw path;
  return path;
};

describe('parseInputPath', () => {
  it.each<[string, readonly string[]]>([
    ['$', []],
    ['$.detail', ['detail']],
    ['$.detail.object.key', ['detail', 'object', 'key']],
    ['$.detail-type', ['detail-type']],
    ['$.detail.source-ip-address', ['detail', 'source-ip-address']],
  ])('reads %s', (text, members) => {
    expect(parseInputPath(text)).toEqual(members);
  });

  it.each([
    '',
    'detail',
    '$detail',
    '$.',
    '$..detail',
    '$.detail.',
    "$['detail']",
    '$.a[0]',
    '$.*',
    '$.a b',
  ])('refuses %j as a ValidationException', (text) => {
    const error = parseInputPath(text);
    expect(error).toBeInstanceOf(EventBridgeError);
    expect(error).toMatchObject({ code: 'ValidationException' });
  });
});

describe('selectInputPath', () => {
  it.each<[string, unknown]>([
    ['$', event],
    ['$.detail', event.detail],
    ['$.detail.bucket.name', 'photos'],
    ['$.detail.object.size', 0],
    ['$.detail-type', 'Object Created'],
    ['$.detail.missing', undefined],
    ['$.detail.bucket.name.length', undefined],
    ['$.detail.list.0', undefined],
    ['$.constructor', undefined],
  ])('%s selects %j', (text, expected) => {
    expect(selectInputPath(parsed(text), event)).toEqual(expected);
  });
});
