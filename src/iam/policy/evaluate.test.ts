/**
 * The decision table for `evaluate`, written from AWS's IAM User Guide: "Policy evaluation
 * logic" (and its single-account page), "IAM JSON policy elements: Principal / NotPrincipal /
 * Resource", "IAM policy variables" and "Access denied error messages". Principals and
 * condition operators have their own tables: evaluate.principals.test.ts and
 * evaluate.conditions.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  alice,
  allow,
  bob,
  decide,
  deny,
  expected,
  grant,
  refuse,
  requestOf,
  s3Service,
  session,
  type Row,
} from './decision-table.test-helper.js';
import { evaluate } from './evaluate.js';

const ALICE = alice.arn;
const ROLE = session.roleArn;

const table = (rows: Row[]): void => {
  it.each(rows)('$name', (row) => expect(decide(row)).toEqual(expected(row)));
};

describe('the evaluation order: explicit deny, then allow, then implicit deny', () => {
  table([
    // Evaluation logic: every request is denied by default.
    { name: 'no policy at all', decision: 'ImplicitDeny' },
    // An Allow in an identity-based policy grants the request.
    { name: 'identity allow', identity: [allow()], decision: 'Allow', decidedBy: 'identity' },
    // An Allow for another resource does not apply.
    {
      name: 'identity allow on another bucket',
      identity: [allow({ Resource: 'arn:aws:s3:::other/*' })],
      decision: 'ImplicitDeny',
    },
    // Same account: a resource-based policy that names the user allows it on its own.
    {
      name: 'bucket policy naming the user',
      bucket: [grant({ AWS: ALICE }, { Resource: 'arn:aws:s3:::photos/*' })],
      decision: 'Allow',
      decidedBy: 'resource',
    },
    // A resource-based statement applies only to the principals it names.
    {
      name: 'bucket policy naming someone else',
      bucket: [grant({ AWS: bob.arn })],
      decision: 'ImplicitDeny',
    },
    // "*" and {"AWS": "*"} name every principal.
    {
      name: 'bucket policy Principal "*"',
      bucket: [grant('*')],
      decision: 'Allow',
      decidedBy: 'resource',
    },
    {
      name: 'bucket policy {"AWS": "*"}',
      bucket: [grant({ AWS: '*' })],
      decision: 'Allow',
      decidedBy: 'resource',
    },
    // An explicit Deny in any policy overrides any Allow: each direction.
    {
      name: 'identity deny beats identity allow',
      identity: [allow(), deny({ Action: 's3:GetObject' })],
      decision: 'ExplicitDeny',
      decidedBy: 'identity',
    },
    {
      name: 'bucket deny beats identity allow',
      identity: [allow()],
      bucket: [refuse('*')],
      decision: 'ExplicitDeny',
      decidedBy: 'resource',
    },
    {
      name: 'identity deny beats bucket allow',
      identity: [deny()],
      bucket: [grant({ AWS: ALICE })],
      decision: 'ExplicitDeny',
      decidedBy: 'identity',
    },
    {
      name: 'bucket deny beats bucket allow',
      bucket: [grant({ AWS: ALICE }), refuse({ AWS: ALICE })],
      decision: 'ExplicitDeny',
      decidedBy: 'resource',
    },
  ]);
});

describe('Action, NotAction, Resource, NotResource', () => {
  table([
    // NotAction: the statement covers every action except those listed.
    {
      name: 'NotAction covers others',
      identity: [allow({ Action: undefined, NotAction: 'iam:*' })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    {
      name: 'NotAction leaves out the listed',
      action: 'iam:CreateUser',
      identity: [allow({ Action: undefined, NotAction: 'iam:*' })],
      decision: 'ImplicitDeny',
    },
    // Deny with NotResource: denies everything but the listed resources.
    {
      name: 'Deny NotResource denies outside',
      identity: [allow(), deny({ Resource: undefined, NotResource: 'arn:aws:s3:::public/*' })],
      decision: 'ExplicitDeny',
      decidedBy: 'identity',
    },
    {
      name: 'Deny NotResource spares inside',
      resource: 'arn:aws:s3:::public/a.txt',
      identity: [allow(), deny({ Resource: undefined, NotResource: 'arn:aws:s3:::public/*' })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    // Actions match without regard to case, with * and ? wildcards.
    {
      name: 'action prefix wildcard',
      identity: [allow({ Action: 's3:Get*' })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    {
      name: 'action case-insensitive',
      identity: [allow({ Action: 'S3:GETOBJECT' })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    {
      name: 'action ? wildcard',
      identity: [allow({ Action: 's3:?etObject' })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    {
      name: 'action wildcard miss',
      action: 's3:PutObject',
      identity: [allow({ Action: 's3:Get*' })],
      decision: 'ImplicitDeny',
    },
    {
      name: 'action "*"',
      identity: [allow({ Action: '*' })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    // Resource: case-sensitive, * spans "/" in the resource part.
    {
      name: 'resource * spans slashes',
      resource: 'arn:aws:s3:::photos/2024/07/cat.jpg',
      identity: [allow({ Resource: 'arn:aws:s3:::photos/*' })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    {
      name: 'resource is case-sensitive',
      identity: [allow({ Resource: 'arn:aws:s3:::Photos/*' })],
      decision: 'ImplicitDeny',
    },
    {
      name: 'resource ? wildcard',
      identity: [allow({ Resource: 'arn:aws:s3:::photos/c?t.jpg' })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    {
      name: 'trailing * runs past the colons',
      identity: [allow({ Resource: 'arn:aws:s3:*' })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    // IAM's own example: a region wildcard does not swallow the account and resource type.
    {
      name: 'a segment wildcard stays in its segment',
      action: 'sqs:SendMessage',
      resource: `arn:aws:sqs:us-east-2:999999999999:store/abc:${ACCOUNT}:finance/doc.txt`,
      identity: [allow({ Action: 'sqs:*', Resource: `arn:aws:sqs:*:${ACCOUNT}:finance/*` })],
      decision: 'ImplicitDeny',
    },
    {
      name: 'the resource part keeps its colons',
      action: 'sqs:SendMessage',
      resource: `arn:aws:sqs:us-east-2:${ACCOUNT}:finance/a:b`,
      identity: [allow({ Action: 'sqs:*', Resource: `arn:aws:sqs:*:${ACCOUNT}:finance/*` })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
  ]);
});

describe('policy variables (2012-10-17 only)', () => {
  const home = allow({ Resource: 'arn:aws:s3:::home/${aws:username}/*' });
  table([
    // ${aws:username} is the user's friendly name.
    {
      name: 'own home',
      resource: 'arn:aws:s3:::home/alice/a.txt',
      identity: [home],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    {
      name: "someone else's home",
      resource: 'arn:aws:s3:::home/bob/a.txt',
      identity: [home],
      decision: 'ImplicitDeny',
    },
    // Without Version (2008-10-17) variables are literal text.
    {
      name: 'no Version: literal',
      resource: 'arn:aws:s3:::home/alice/a.txt',
      identity: [home],
      version: null,
      decision: 'ImplicitDeny',
    },
    {
      name: 'no Version: matches the literal text',
      resource: 'arn:aws:s3:::home/${aws:username}/a.txt',
      identity: [home],
      version: null,
      decision: 'Allow',
      decidedBy: 'identity',
    },
    // aws:username is not present for a role session; the value then matches nothing.
    {
      name: 'unresolvable variable',
      principal: session,
      resource: 'arn:aws:s3:::home/app/a',
      identity: [home],
      decision: 'ImplicitDeny',
    },
    // A default value stands in for a missing key.
    {
      name: 'default value',
      principal: session,
      resource: 'arn:aws:s3:::home/guest/a',
      identity: [allow({ Resource: "arn:aws:s3:::home/${aws:username, 'guest'}/*" })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    // ${*} is a literal asterisk, not a wildcard.
    {
      name: '${*} is literal (match)',
      resource: 'arn:aws:s3:::b/star*',
      identity: [allow({ Resource: 'arn:aws:s3:::b/star${*}' })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    {
      name: '${*} is literal (miss)',
      resource: 'arn:aws:s3:::b/starX',
      identity: [allow({ Resource: 'arn:aws:s3:::b/star${*}' })],
      decision: 'ImplicitDeny',
    },
    // aws:userid of a session is "<role id>:<session>".
    {
      name: 'aws:userid',
      principal: session,
      resource: 'arn:aws:s3:::b/AROAAPP:job-1/x',
      identity: [allow({ Resource: 'arn:aws:s3:::b/${aws:userid}/*' })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    // In conditions: s3:prefix under the user's own name.
    {
      name: 's3:prefix with ${aws:username}',
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::photos',
      context: { 's3:prefix': 'alice/2024/' },
      identity: [allow({ Condition: { StringLike: { 's3:prefix': '${aws:username}/*' } } })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    // aws:PrincipalArn of a session is its role's ARN.
    {
      name: 'aws:PrincipalArn of a session',
      principal: session,
      identity: [allow({ Condition: { StringEquals: { 'aws:PrincipalArn': ROLE } } })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    // A key the request sets wins over the derived one.
    {
      name: 'request context overrides',
      context: { 'AWS:UserName': 'carol' },
      resource: 'arn:aws:s3:::home/carol/x',
      identity: [home],
      decision: 'Allow',
      decidedBy: 'identity',
    },
  ]);
});

describe('access-denied messages', () => {
  const message = (row: Row): string => evaluate(requestOf(row)).message;
  const head = `User: ${ALICE} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::photos/cat.jpg"`;

  it('implicit deny names the identity-based policy type', () => {
    expect(message({ name: '', decision: 'ImplicitDeny' })).toBe(
      `${head} because no identity-based policy allows the s3:GetObject action`,
    );
  });
  it('explicit deny in an identity-based policy', () => {
    expect(message({ name: '', identity: [deny()], decision: 'ExplicitDeny' })).toBe(
      `${head} with an explicit deny in an identity-based policy`,
    );
  });
  it('explicit deny in a resource-based policy', () => {
    expect(message({ name: '', bucket: [refuse('*')], decision: 'ExplicitDeny' })).toBe(
      `${head} with an explicit deny in a resource-based policy`,
    );
  });
  it('a service can only be let in by a resource-based policy', () => {
    expect(message({ name: '', principal: s3Service, decision: 'ImplicitDeny' })).toMatch(
      /because no resource-based policy allows the s3:GetObject action$/,
    );
  });
  it('an action without a resource has no "on resource" part', () => {
    expect(
      message({ name: '', action: 's3:ListAllMyBuckets', resource: '*', decision: 'ImplicitDeny' }),
    ).toBe(
      `User: ${ALICE} is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action`,
    );
  });
  it('an allow has no message', () => {
    expect(message({ name: '', identity: [allow()], decision: 'Allow' })).toBe('');
  });
});
