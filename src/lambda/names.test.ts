import { describe, expect, it } from 'vitest';
import { functionName } from './names.js';
import { parseHandler } from './settings.js';

const scope = { region: 'us-east-1', accountId: '000000000000' };

describe('function names', () => {
  it.each([
    ['fn', 'fn'],
    ['arn:aws:lambda:us-east-1:000000000000:function:fn', 'fn'],
    ['000000000000:function:fn', 'fn'],
    ['arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST', 'fn'],
  ])('reads %s', (raw, name) => expect(functionName(raw, scope)).toBe(name));

  it.each([
    ['arn:aws:lambda:eu-west-1:000000000000:function:fn', 'ResourceNotFoundException'],
    ['arn:aws:lambda:us-east-1:111111111111:function:fn', 'ResourceNotFoundException'],
    ['fn:1', 'ResourceNotFoundException'],
    ['has space', 'ValidationException'],
    ['x'.repeat(65), 'ValidationException'],
  ])('refuses %s with %s', (raw, code) =>
    expect(() => functionName(raw, scope)).toThrow(expect.objectContaining({ code }) as Error),
  );
});

describe('handlers', () => {
  it.each([
    ['index.handler', 'index', 'handler'],
    ['src/app.main', 'src/app', 'main'],
    ['dist/v1.2/app.handler', 'dist/v1.2/app', 'handler'],
  ])('splits %s', (handler, modulePath, exportName) =>
    expect(parseHandler(handler)).toEqual({ modulePath, exportName }),
  );

  it.each(['index', '../x.handler', '/abs/x.handler', 'a//b.handler', 'index.a.b', './x.h'])(
    'refuses %s',
    (handler) => expect(() => parseHandler(handler)).toThrow(),
  );
});
