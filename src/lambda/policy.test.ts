import { describe, expect, it } from 'vitest';
import { addStatement, permissionStatement, removeStatement, toPolicyDocument } from './policy.js';

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:fn';

describe('function policies', () => {
  it.each([
    ['s3.amazonaws.com', { Service: 's3.amazonaws.com' }],
    ['123456789012', { AWS: 'arn:aws:iam::123456789012:root' }],
    ['arn:aws:iam::123456789012:role/r', { AWS: 'arn:aws:iam::123456789012:role/r' }],
    ['*', '*'],
  ])('builds the principal of %s as Lambda does', (principal, block) => {
    const statement = permissionStatement(
      { StatementId: 'a', Action: 'lambda:InvokeFunction', Principal: principal },
      FN,
    );
    expect(statement).toEqual({
      Sid: 'a',
      Effect: 'Allow',
      Principal: block,
      Action: 'lambda:InvokeFunction',
      Resource: FN,
    });
  });

  it('turns SourceArn and SourceAccount into conditions', () => {
    const statement = permissionStatement(
      {
        StatementId: 's3',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
        SourceArn: 'arn:aws:s3:::b',
        SourceAccount: '000000000000',
      },
      FN,
    );
    expect(statement.Condition).toEqual({
      StringEquals: { 'AWS:SourceAccount': '000000000000' },
      ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::b' },
    });
  });

  it.each([
    [{ StatementId: 'bad id', Action: 'lambda:InvokeFunction', Principal: '*' }, 'statementId'],
    [{ StatementId: 'a', Action: 's3:GetObject', Principal: '*' }, 'action'],
    [{ StatementId: 'a', Action: 'lambda:InvokeFunction' }, 'principal'],
  ])('refuses %j at %s', (input, at) => {
    expect(() => permissionStatement(input, FN)).toThrow(new RegExp(`at '${at}'`));
  });

  it('adds, refuses a duplicate Sid, removes, and drops an empty policy', () => {
    const a = permissionStatement({ StatementId: 'a', Action: 'lambda:*', Principal: '*' }, FN);
    const b = permissionStatement({ StatementId: 'b', Action: 'lambda:*', Principal: '*' }, FN);
    const one = addStatement(undefined, a);
    expect(JSON.parse(one)).toEqual({ Version: '2012-10-17', Id: 'default', Statement: [a] });
    expect(() => addStatement(one, a)).toThrow(/already exists/);
    const two = addStatement(one, b);
    expect(JSON.parse(removeStatement(two, 'a')!)).toMatchObject({ Statement: [b] });
    expect(removeStatement(one, 'a')).toBeUndefined();
    expect(() => removeStatement(one, 'zzz')).toThrow(
      'Statement zzz is not found in resource policy.',
    );
    expect(toPolicyDocument(two).Statement[0]).toMatchObject({
      Action: ['lambda:*'],
      Resource: [FN],
    });
  });
});
