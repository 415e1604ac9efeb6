/**
 * Validation of policy documents, with the sentences IAM returns as MalformedPolicyDocument
 * (S3: MalformedPolicy) for each fault.
 */
import { describe, expect, it } from 'vitest';
import { PolicyError, type PolicyKind } from '../types.js';
import { parsePolicy, POLICY_ERRORS } from './parse.js';

const stmt = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  Effect: 'Allow',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::photos/*',
  ...extra,
});
const bucketStmt = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
  stmt({ Principal: '*', ...extra });
const doc = (...statements: unknown[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

function failure(text: string, kind: PolicyKind = 'identity'): string {
  try {
    parsePolicy(text, kind);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).message;
  }
  throw new Error('expected a PolicyError');
}

describe('parsePolicy accepts and normalises', () => {
  it('turns single strings into arrays and keeps Version and Id', () => {
    const parsed = parsePolicy(
      JSON.stringify({ Version: '2012-10-17', Id: 'p1', Statement: stmt() }),
      'identity',
    );
    expect(parsed).toEqual({
      Version: '2012-10-17',
      Id: 'p1',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::photos/*'] },
      ],
    });
  });

  it('reads a missing Version as 2008-10-17', () => {
    expect(parsePolicy(JSON.stringify({ Statement: [stmt()] }), 'identity').Version).toBe(
      '2008-10-17',
    );
  });

  it('normalises principals and stringifies condition values', () => {
    const parsed = parsePolicy(
      doc(
        bucketStmt({
          Principal: { AWS: '123456789012', Service: ['s3.amazonaws.com'] },
          Condition: {
            Bool: { 'aws:SecureTransport': false },
            NumericLessThan: { 's3:max-keys': [10, '20'] },
          },
        }),
      ),
      'resource',
    );
    expect(parsed.Statement[0]).toMatchObject({
      Principal: { AWS: ['123456789012'], Service: ['s3.amazonaws.com'] },
      Condition: {
        Bool: { 'aws:SecureTransport': ['false'] },
        NumericLessThan: { 's3:max-keys': ['10', '20'] },
      },
    });
  });

  it('accepts every operator with set qualifiers and IfExists', () => {
    const condition = {
      'ForAllValues:StringLike': { 'aws:TagKeys': 'a*' },
      'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'b' },
      ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:sns:*:*:t' },
      DateLessThan: { 'aws:CurrentTime': ['2030-01-01T00:00:00Z', '1893456000'] },
      Null: { 'aws:TokenIssueTime': 'true' },
      NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
    };
    expect(() => parsePolicy(doc(stmt({ Condition: condition })), 'identity')).not.toThrow();
  });

  it('accepts a trust policy without Resource', () => {
    const trust = doc({
      Effect: 'Allow',
      Principal: { Service: 'lambda.amazonaws.com' },
      Action: 'sts:AssumeRole',
    });
    expect(parsePolicy(trust, 'trust').Statement[0]?.Resource).toBeUndefined();
  });

  it('passes each resource to validateResource and throws its sentence', () => {
    const seen: string[] = [];
    const validateResource = (arn: string): string | undefined => {
      seen.push(arn);
      return arn.startsWith('arn:aws:s3:::photos') ? undefined : 'Policy has invalid resource';
    };
    expect(() => parsePolicy(doc(bucketStmt()), 'resource', { validateResource })).not.toThrow();
    expect(() =>
      parsePolicy(
        doc(bucketStmt({ Resource: ['arn:aws:s3:::photos/*', 'arn:aws:s3:::other/*'] })),
        'resource',
        {
          validateResource,
        },
      ),
    ).toThrow('Policy has invalid resource');
    expect(seen).toContain('arn:aws:s3:::other/*');
  });
});

describe('parsePolicy rejects', () => {
  const E = POLICY_ERRORS;
  it.each<[string, string, PolicyKind?]>([
    // The JSON shape (IAM's grammar): any fault is "Syntax errors in policy."
    ['not JSON', '{"Version":', undefined],
    ['not an object', '[]'],
    [
      'unknown top-level field',
      JSON.stringify({ Version: '2012-10-17', Statement: [stmt()], Statements: [] }),
    ],
    ['unknown statement field', doc(stmt({ Actions: 's3:*' }))],
    ['unknown Version', JSON.stringify({ Version: '2012-10-18', Statement: [stmt()] })],
    ['missing Statement', JSON.stringify({ Version: '2012-10-17' })],
    ['empty Statement list', doc()],
    ['Effect other than Allow/Deny', doc(stmt({ Effect: 'Permit' }))],
    ['missing Effect', doc(stmt({ Effect: undefined }))],
    ['both Action and NotAction', doc(stmt({ NotAction: 's3:PutObject' }))],
    ['both Resource and NotResource', doc(stmt({ NotResource: 'arn:aws:s3:::x' }))],
    ['Action of the wrong type', doc(stmt({ Action: { s3: 'GetObject' } }))],
    [
      'unknown condition operator',
      doc(stmt({ Condition: { StringSortOf: { 'aws:username': 'a' } } })),
    ],
    ['Null with IfExists', doc(stmt({ Condition: { NullIfExists: { 'aws:username': 'true' } } }))],
    [
      'condition value of the wrong type',
      doc(stmt({ Condition: { StringEquals: { 'aws:username': { a: 1 } } } })),
    ],
  ])('%s: syntax error', (_name, text, kind) => {
    expect(failure(text, kind)).toBe(E.syntax);
  });

  it.each<[string, string, PolicyKind, string]>([
    // IAM's legacy pass: Effect is case-sensitive, dates must parse.
    ['lower-case effect', doc(stmt({ Effect: 'allow' })), 'identity', E.legacy],
    [
      'unreadable date',
      doc(stmt({ Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } })),
      'identity',
      E.legacy,
    ],
    // Principals by kind of policy.
    ['principal in an identity policy', doc(bucketStmt()), 'identity', E.principalNotAllowed],
    [
      'NotPrincipal in an identity policy',
      doc(stmt({ NotPrincipal: { AWS: '123456789012' } })),
      'identity',
      E.principalNotAllowed,
    ],
    ['bucket policy without principal', doc(stmt()), 'resource', E.principalRequired],
    [
      'trust policy without principal',
      doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
      'trust',
      E.principalRequired,
    ],
    [
      'trust policy with Resource',
      doc(bucketStmt({ Action: 'sts:AssumeRole' })),
      'trust',
      E.resourceProhibited,
    ],
    [
      'malformed principal',
      doc(bucketStmt({ Principal: { AWS: 'alice' } })),
      'resource',
      'Invalid principal in policy',
    ],
    [
      'wildcard inside a principal ARN',
      doc(bucketStmt({ Principal: { AWS: 'arn:aws:iam::123456789012:user/*' } })),
      'resource',
      'Invalid principal in policy',
    ],
    [
      'unknown principal kind',
      doc(bucketStmt({ Principal: { Person: 'alice' } })),
      'resource',
      'Invalid principal in policy',
    ],
    // Actions and resources.
    ['no Action', doc(stmt({ Action: undefined })), 'identity', E.actionsRequired],
    ['empty Action list', doc(stmt({ Action: [] })), 'identity', E.actionsRequired],
    [
      'no Resource in an identity policy',
      doc(stmt({ Resource: undefined })),
      'identity',
      E.resourcesRequired,
    ],
    [
      'no Resource in a bucket policy',
      doc(bucketStmt({ Resource: undefined })),
      'resource',
      E.resourceRequired,
    ],
    ['action without vendor', doc(stmt({ Action: 'GetObject' })), 'identity', E.vendor],
    ['action with two colons', doc(stmt({ Action: 's3:Get:Object' })), 'identity', E.oneColon],
    [
      'invalid vendor',
      doc(stmt({ Action: 's 3:GetObject' })),
      'identity',
      'Vendor s 3 is not valid',
    ],
    [
      'condition key without vendor',
      doc(stmt({ Condition: { StringEquals: { username: 'a' } } })),
      'identity',
      E.vendor,
    ],
    [
      'resource not an ARN',
      doc(stmt({ Resource: 'photos/*' })),
      'identity',
      'Resource photos/* must be in ARN format or "*".',
    ],
    ['duplicate Sid', doc(stmt({ Sid: 'a' }), stmt({ Sid: 'a' })), 'identity', E.duplicateSid],
  ])('%s', (_name, text, kind, message) => {
    expect(failure(text, kind)).toBe(message);
  });
});
