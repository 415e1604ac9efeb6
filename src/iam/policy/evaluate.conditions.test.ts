/**
 * The decision table for Condition blocks, written from IAM's "Condition operators" and
 * "Multivalued context keys" pages. Each row is a user with one identity-policy statement
 * (`allowIf`: Allow s3:* on everything when the condition holds; `denyIf`: the same plus a
 * Deny when it holds), so the decision shows whether the condition held.
 */
import { describe, expect, it } from 'vitest';
import { ACCOUNT, allow, decide, deny, expected, type Row } from './decision-table.test-helper.js';

type Condition = Record<string, Record<string, unknown>>;
const allowIf = (Condition: Condition): Pick<Row, 'identity'> => ({
  identity: [allow({ Condition })],
});
const denyIf = (Condition: Condition): Pick<Row, 'identity'> => ({
  identity: [allow(), deny({ Condition })],
});
/** The condition held (Allow) or did not (ImplicitDeny), for `allowIf` rows. */
const held = { decision: 'Allow', decidedBy: 'identity' } as const;
const failed = { decision: 'ImplicitDeny' } as const;
/** For `denyIf` rows. */
const denied = { decision: 'ExplicitDeny', decidedBy: 'identity' } as const;
const spared = { decision: 'Allow', decidedBy: 'identity' } as const;

const table = (rows: Row[]): void => {
  it.each(rows)('$name', (row) => expect(decide(row)).toEqual(expected(row)));
};

describe('string operators', () => {
  const tagged = (op: string, values: unknown): Pick<Row, 'identity'> =>
    allowIf({ [op]: { 's3:ExistingObjectTag/classification': values } });
  const ctx = { 's3:ExistingObjectTag/classification': 'Public' };
  table([
    // StringEquals: exact, case-sensitive; a key's values are ORed.
    { name: 'StringEquals match', ...tagged('StringEquals', 'Public'), context: ctx, ...held },
    {
      name: 'StringEquals is case-sensitive',
      ...tagged('StringEquals', 'public'),
      context: ctx,
      ...failed,
    },
    {
      name: 'StringEquals values are ORed',
      ...tagged('StringEquals', ['Secret', 'Public']),
      context: ctx,
      ...held,
    },
    // A key missing from the request makes a positive operator false…
    { name: 'StringEquals missing key', ...tagged('StringEquals', 'Public'), ...failed },
    // …and a negated one true.
    { name: 'StringNotEquals missing key', ...tagged('StringNotEquals', 'Secret'), ...held },
    // Negated operators with several values: true only when none matches (NOR).
    {
      name: 'StringNotEquals NOR (one matches)',
      ...tagged('StringNotEquals', ['Secret', 'Public']),
      context: ctx,
      ...failed,
    },
    {
      name: 'StringNotEquals NOR (none matches)',
      ...tagged('StringNotEquals', ['Secret', 'Internal']),
      context: ctx,
      ...held,
    },
    {
      name: 'StringEqualsIgnoreCase',
      ...tagged('StringEqualsIgnoreCase', 'PUBLIC'),
      context: ctx,
      ...held,
    },
    {
      name: 'StringNotEqualsIgnoreCase',
      ...tagged('StringNotEqualsIgnoreCase', 'PUBLIC'),
      context: ctx,
      ...failed,
    },
    // StringLike: * and ? wildcards, case-sensitive.
    {
      name: 's3:prefix StringLike',
      ...allowIf({ StringLike: { 's3:prefix': ['', 'home/*'] } }),
      context: { 's3:prefix': 'home/alice/' },
      ...held,
    },
    {
      name: 's3:prefix StringLike empty prefix',
      ...allowIf({ StringLike: { 's3:prefix': ['', 'home/*'] } }),
      context: { 's3:prefix': '' },
      ...held,
    },
    {
      name: 's3:prefix StringLike miss',
      ...allowIf({ StringLike: { 's3:prefix': 'home/*' } }),
      context: { 's3:prefix': 'etc/' },
      ...failed,
    },
    { name: 'StringLike ?', ...tagged('StringLike', 'P?blic'), context: ctx, ...held },
    { name: 'StringNotLike', ...tagged('StringNotLike', 'Pub*'), context: ctx, ...failed },
    { name: 'StringNotLike missing key', ...tagged('StringNotLike', 'Pub*'), ...held },
    // s3:RequestObjectTag/<key> for a PUT that sets tags.
    {
      name: 's3:RequestObjectTag',
      action: 's3:PutObject',
      ...allowIf({ StringEquals: { 's3:RequestObjectTag/team': 'moderation' } }),
      context: { 's3:RequestObjectTag/team': 'moderation' },
      ...held,
    },
    // Condition key names are case-insensitive.
    {
      name: 'key names ignore case',
      ...tagged('StringEquals', 'Public'),
      context: { 'S3:EXISTINGOBJECTTAG/CLASSIFICATION': 'Public' },
      ...held,
    },
  ]);
});

describe('numeric, date, bool and binary operators', () => {
  const maxKeys = (op: string, v: unknown): Pick<Row, 'identity'> =>
    allowIf({ [op]: { 's3:max-keys': v } });
  table([
    {
      name: 'NumericLessThanEquals at the bound',
      ...maxKeys('NumericLessThanEquals', '10'),
      context: { 's3:max-keys': '10' },
      ...held,
    },
    {
      name: 'NumericLessThanEquals above',
      ...maxKeys('NumericLessThanEquals', 10),
      context: { 's3:max-keys': '11' },
      ...failed,
    },
    {
      name: 'NumericEquals',
      ...maxKeys('NumericEquals', '10.0'),
      context: { 's3:max-keys': '10' },
      ...held,
    },
    {
      name: 'NumericGreaterThan',
      ...maxKeys('NumericGreaterThan', '10'),
      context: { 's3:max-keys': '11' },
      ...held,
    },
    {
      name: 'NumericNotEquals',
      ...maxKeys('NumericNotEquals', ['1', '2']),
      context: { 's3:max-keys': '3' },
      ...held,
    },
    { name: 'NumericLessThan missing key', ...maxKeys('NumericLessThan', '10'), ...failed },
    // aws:CurrentTime against an ISO 8601 date.
    {
      name: 'CurrentTime DateLessThan (before)',
      ...allowIf({ DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }),
      context: { 'aws:CurrentTime': '2029-12-31T23:59:59Z' },
      ...held,
    },
    {
      name: 'CurrentTime DateLessThan (after)',
      ...allowIf({ DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }),
      context: { 'aws:CurrentTime': '2030-01-01T00:00:01Z' },
      ...failed,
    },
    // Dates may be epoch seconds on either side.
    {
      name: 'EpochTime DateGreaterThanEquals',
      ...allowIf({ DateGreaterThanEquals: { 'aws:EpochTime': '2020-01-01T00:00:00Z' } }),
      context: { 'aws:EpochTime': '1577836800' },
      ...held,
    },
    // Negated Date operator, missing key: true.
    {
      name: 'DateNotEquals missing key',
      ...allowIf({ DateNotEquals: { 'aws:TokenIssueTime': '2020-01-01' } }),
      ...held,
    },
    {
      name: 'DateEquals missing key',
      ...allowIf({ DateEquals: { 'aws:TokenIssueTime': '2020-01-01' } }),
      ...failed,
    },
    // Deny when the request is not over TLS (IAM's own Bool example).
    {
      name: 'SecureTransport false is denied',
      ...denyIf({ Bool: { 'aws:SecureTransport': 'false' } }),
      context: { 'aws:SecureTransport': 'false' },
      ...denied,
    },
    {
      name: 'SecureTransport true is spared',
      ...denyIf({ Bool: { 'aws:SecureTransport': 'false' } }),
      context: { 'aws:SecureTransport': 'true' },
      ...spared,
    },
    {
      name: 'Bool written as JSON false',
      ...denyIf({ Bool: { 'aws:SecureTransport': false } }),
      context: { 'aws:SecureTransport': 'false' },
      ...denied,
    },
    {
      name: 'Bool missing key',
      ...allowIf({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
      ...failed,
    },
    {
      name: 'BinaryEquals',
      ...allowIf({ BinaryEquals: { 'x:blob': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }),
      context: { 'x:blob': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' },
      ...held,
    },
    {
      name: 'BinaryEquals miss',
      ...allowIf({ BinaryEquals: { 'x:blob': 'AAAA' } }),
      context: { 'x:blob': 'AAAB' },
      ...failed,
    },
  ]);
});

describe('IP address, ARN and Null operators', () => {
  const fromIp = (op: string, cidrs: unknown): Pick<Row, 'identity'> =>
    allowIf({ [op]: { 'aws:SourceIp': cidrs } });
  const cidrs = ['203.0.113.0/24', '2001:DB8:1234:5678::/64'];
  const source = `arn:aws:sns:us-east-1:${ACCOUNT}:uploads`;
  table([
    {
      name: 'IPv4 in CIDR',
      ...fromIp('IpAddress', cidrs),
      context: { 'aws:SourceIp': '203.0.113.7' },
      ...held,
    },
    {
      name: 'IPv4 outside CIDR',
      ...fromIp('IpAddress', cidrs),
      context: { 'aws:SourceIp': '198.51.100.7' },
      ...failed,
    },
    // Node reports IPv4 clients as IPv4-mapped IPv6 addresses.
    {
      name: 'IPv4-mapped IPv6 in IPv4 CIDR',
      ...fromIp('IpAddress', cidrs),
      context: { 'aws:SourceIp': '::ffff:203.0.113.7' },
      ...held,
    },
    {
      name: 'IPv6 in CIDR',
      ...fromIp('IpAddress', cidrs),
      context: { 'aws:SourceIp': '2001:db8:1234:5678::9' },
      ...held,
    },
    {
      name: 'IPv6 outside CIDR',
      ...fromIp('IpAddress', cidrs),
      context: { 'aws:SourceIp': '2001:db8:1234:5679::9' },
      ...failed,
    },
    // A bare address is a /32.
    {
      name: 'bare address',
      ...fromIp('IpAddress', '203.0.113.7'),
      context: { 'aws:SourceIp': '203.0.113.7' },
      ...held,
    },
    {
      name: 'NotIpAddress',
      ...fromIp('NotIpAddress', cidrs),
      context: { 'aws:SourceIp': '203.0.113.7' },
      ...failed,
    },
    { name: 'NotIpAddress missing key', ...fromIp('NotIpAddress', cidrs), ...held },
    {
      name: 'ArnEquals',
      ...allowIf({ ArnEquals: { 'aws:SourceArn': source } }),
      context: { 'aws:SourceArn': source },
      ...held,
    },
    {
      name: 'ArnLike wildcard region',
      ...allowIf({ ArnLike: { 'aws:SourceArn': `arn:aws:sns:*:${ACCOUNT}:*` } }),
      context: { 'aws:SourceArn': source },
      ...held,
    },
    // ArnLike matches segment by segment, unlike StringLike (IAM's example).
    {
      name: 'ArnLike keeps to segments',
      ...allowIf({ ArnLike: { 'aws:SourceArn': `arn:aws:sns:*:${ACCOUNT}:finance/*` } }),
      context: {
        'aws:SourceArn': `arn:aws:sns:us-east-2:999999999999:store/abc:${ACCOUNT}:finance/doc`,
      },
      ...failed,
    },
    {
      name: 'StringLike crosses segments',
      ...allowIf({ StringLike: { 'aws:SourceArn': `arn:aws:sns:*:${ACCOUNT}:finance/*` } }),
      context: {
        'aws:SourceArn': `arn:aws:sns:us-east-2:999999999999:store/abc:${ACCOUNT}:finance/doc`,
      },
      ...held,
    },
    {
      name: 'ArnNotLike missing key',
      ...allowIf({ ArnNotLike: { 'aws:SourceArn': source } }),
      ...held,
    },
    {
      name: 'ArnNotEquals',
      ...allowIf({ ArnNotEquals: { 'aws:SourceArn': source } }),
      context: { 'aws:SourceArn': source },
      ...failed,
    },
    // Null "true": the key must be absent; "false": present.
    {
      name: 'Null true, key absent',
      ...allowIf({ Null: { 'aws:TokenIssueTime': 'true' } }),
      ...held,
    },
    {
      name: 'Null true, key present',
      ...allowIf({ Null: { 'aws:TokenIssueTime': 'true' } }),
      context: { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' },
      ...failed,
    },
    {
      name: 'Null false, key present',
      ...allowIf({ Null: { 'aws:TokenIssueTime': false } }),
      context: { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' },
      ...held,
    },
  ]);
});

describe('IfExists, set operators, and how a block combines', () => {
  const type = { 's3:x-amz-storage-class': 'STANDARD' };
  const tags = (op: string, values: unknown): Pick<Row, 'identity'> =>
    allowIf({ [op]: { 'aws:TagKeys': values } });
  table([
    // IfExists: a missing key makes the condition true; a present key is checked as usual.
    {
      name: 'IfExists, key missing',
      ...allowIf({ StringEqualsIfExists: { 's3:x-amz-storage-class': 'STANDARD' } }),
      ...held,
    },
    {
      name: 'IfExists, key matches',
      ...allowIf({ StringEqualsIfExists: { 's3:x-amz-storage-class': 'STANDARD' } }),
      context: type,
      ...held,
    },
    {
      name: 'IfExists, key differs',
      ...allowIf({ StringEqualsIfExists: { 's3:x-amz-storage-class': 'GLACIER' } }),
      context: type,
      ...failed,
    },
    // Deny with a negated IfExists operator still denies when the key is missing.
    {
      name: 'Deny StringNotEqualsIfExists, missing',
      ...denyIf({ StringNotEqualsIfExists: { 's3:x-amz-storage-class': 'STANDARD' } }),
      ...denied,
    },
    // ForAllValues: every request value must match some policy value.
    {
      name: 'ForAllValues subset',
      ...tags('ForAllValues:StringEquals', ['team', 'env']),
      context: { 'aws:TagKeys': ['team'] },
      ...held,
    },
    {
      name: 'ForAllValues extra value',
      ...tags('ForAllValues:StringEquals', ['team', 'env']),
      context: { 'aws:TagKeys': ['team', 'owner'] },
      ...failed,
    },
    // …and is true when the key is missing or empty.
    { name: 'ForAllValues missing key', ...tags('ForAllValues:StringEquals', ['team']), ...held },
    {
      name: 'ForAllValues empty set',
      ...tags('ForAllValues:StringEquals', ['team']),
      context: { 'aws:TagKeys': [] },
      ...held,
    },
    {
      name: 'ForAllValues:StringLike',
      ...tags('ForAllValues:StringLike', 'Created*'),
      context: { 'aws:TagKeys': ['CreatedBy', 'CreatedAt'] },
      ...held,
    },
    // ForAnyValue: at least one request value matches; false when missing.
    {
      name: 'ForAnyValue overlap',
      ...tags('ForAnyValue:StringEquals', ['env', 'cost']),
      context: { 'aws:TagKeys': ['team', 'env'] },
      ...held,
    },
    {
      name: 'ForAnyValue no overlap',
      ...tags('ForAnyValue:StringEquals', ['cost']),
      context: { 'aws:TagKeys': ['team', 'env'] },
      ...failed,
    },
    { name: 'ForAnyValue missing key', ...tags('ForAnyValue:StringEquals', ['cost']), ...failed },
    // ForAnyValue with Deny: deny when any forbidden attribute is present (IAM's example).
    {
      name: 'Deny ForAnyValue',
      ...denyIf({ 'ForAnyValue:StringLike': { 'aws:TagKeys': ['ID', 'PostDateTime'] } }),
      context: { 'aws:TagKeys': ['Message', 'PostDateTime'] },
      ...denied,
    },
    {
      name: 'ForAllValues:StringNotEquals',
      ...tags('ForAllValues:StringNotEquals', ['secret']),
      context: { 'aws:TagKeys': ['team', 'env'] },
      ...held,
    },
    // Keys under one operator, and operators, are ANDed.
    {
      name: 'two keys ANDed (both hold)',
      ...allowIf({
        StringEquals: { 's3:x-amz-storage-class': 'STANDARD', 'aws:PrincipalType': 'User' },
      }),
      context: type,
      ...held,
    },
    {
      name: 'two keys ANDed (one fails)',
      ...allowIf({
        StringEquals: { 's3:x-amz-storage-class': 'STANDARD', 'aws:PrincipalType': 'AssumedRole' },
      }),
      context: type,
      ...failed,
    },
    {
      name: 'two operators ANDed',
      ...allowIf({
        Bool: { 'aws:SecureTransport': 'true' },
        IpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
      }),
      context: { 'aws:SecureTransport': 'true', 'aws:SourceIp': '192.168.0.1' },
      ...failed,
    },
  ]);
});
