/**
 * The decision table for who a policy names, from IAM's "Principal" and "NotPrincipal" pages
 * and the single-account evaluation logic: the root user, account principals, role sessions,
 * service principals and NotPrincipal exceptions.
 */
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  OTHER_ACCOUNT,
  alice,
  allow,
  bob,
  decide,
  deny,
  expected,
  grant,
  refuse,
  root,
  s3Service,
  session,
  type Row,
} from './decision-table.test-helper.js';

const ALICE = alice.arn;
const ROLE = session.roleArn;

const table = (rows: Row[]): void => {
  it.each(rows)('$name', (row) => expect(decide(row)).toEqual(expected(row)));
};

describe('root, account principals, role sessions, services', () => {
  table([
    // The root user is not limited by identity policies.
    { name: 'root with no policy', principal: root, decision: 'Allow' },
    { name: 'root ignores identity deny', principal: root, identity: [deny()], decision: 'Allow' },
    // …but a bucket policy's explicit Deny still applies to it.
    {
      name: 'root denied by bucket "*"',
      principal: root,
      bucket: [refuse('*')],
      decision: 'ExplicitDeny',
      decidedBy: 'resource',
    },
    {
      name: 'root denied by account principal',
      principal: root,
      bucket: [refuse({ AWS: ACCOUNT })],
      decision: 'ExplicitDeny',
      decidedBy: 'resource',
    },
    // An account principal in an Allow delegates to the account's identity policies.
    { name: 'account allow alone', bucket: [grant({ AWS: ACCOUNT })], decision: 'ImplicitDeny' },
    {
      name: 'account root ARN allow alone',
      bucket: [grant({ AWS: root.arn })],
      decision: 'ImplicitDeny',
    },
    {
      name: 'account allow + identity allow',
      identity: [allow()],
      bucket: [grant({ AWS: ACCOUNT })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    // In a Deny an account principal covers everyone in the account.
    {
      name: 'account deny',
      identity: [allow()],
      bucket: [refuse({ AWS: root.arn })],
      decision: 'ExplicitDeny',
      decidedBy: 'resource',
    },
    {
      name: 'other account deny',
      identity: [allow()],
      bucket: [refuse({ AWS: OTHER_ACCOUNT })],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    // A role ARN names the role's sessions; a session ARN names that session.
    {
      name: 'role ARN covers its session',
      principal: session,
      bucket: [grant({ AWS: ROLE })],
      decision: 'Allow',
      decidedBy: 'resource',
    },
    {
      name: 'session ARN',
      principal: session,
      bucket: [grant({ AWS: session.arn })],
      decision: 'Allow',
      decidedBy: 'resource',
    },
    {
      name: 'another session',
      principal: session,
      bucket: [grant({ AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/app/job-2` })],
      decision: 'ImplicitDeny',
    },
    {
      name: "the role's identity policy",
      principal: session,
      identity: [allow()],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    // Service principals are named with "Service".
    {
      name: 'service principal',
      principal: s3Service,
      bucket: [grant({ Service: 's3.amazonaws.com' })],
      decision: 'Allow',
      decidedBy: 'resource',
    },
    {
      name: 'other service',
      principal: s3Service,
      bucket: [grant({ Service: 'sns.amazonaws.com' })],
      decision: 'ImplicitDeny',
    },
    {
      name: 'Service does not name users',
      bucket: [grant({ Service: 's3.amazonaws.com' })],
      decision: 'ImplicitDeny',
    },
  ]);
});

describe('NotPrincipal', () => {
  const exceptAlice = refuse(undefined, {
    Principal: undefined,
    NotPrincipal: { AWS: [ALICE, root.arn] },
  });
  table([
    // Deny + NotPrincipal denies everyone except the listed user and its account.
    {
      name: 'listed user is spared',
      identity: [allow()],
      bucket: [exceptAlice],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    {
      name: 'others are denied',
      principal: bob,
      identity: [allow()],
      bucket: [exceptAlice],
      decision: 'ExplicitDeny',
      decidedBy: 'resource',
    },
    // Without the account ARN the account itself is denied, and the user with it.
    {
      name: 'user without its account is denied',
      identity: [allow()],
      bucket: [refuse(undefined, { Principal: undefined, NotPrincipal: { AWS: ALICE } })],
      decision: 'ExplicitDeny',
      decidedBy: 'resource',
    },
    // A session is spared only with its session ARN, role ARN and account listed.
    {
      name: 'session with role and account is spared',
      principal: session,
      identity: [allow()],
      bucket: [
        refuse(undefined, {
          Principal: undefined,
          NotPrincipal: { AWS: [session.arn, ROLE, ACCOUNT] },
        }),
      ],
      decision: 'Allow',
      decidedBy: 'identity',
    },
    // Allow + NotPrincipal grants everyone but the listed.
    {
      name: 'Allow NotPrincipal grants others',
      principal: bob,
      bucket: [grant(undefined, { Principal: undefined, NotPrincipal: { AWS: ALICE } })],
      decision: 'Allow',
      decidedBy: 'resource',
    },
    {
      name: 'Allow NotPrincipal leaves out the listed',
      bucket: [grant(undefined, { Principal: undefined, NotPrincipal: { AWS: ALICE } })],
      decision: 'ImplicitDeny',
    },
  ]);
});
