import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConsoleError } from './errors.js';
import type { IdentitiesDesk } from './identities-desk.js';
import { identitiesApi } from './identities-route.js';

/** A desk that records which method was called with which arguments. */
function recordingDesk() {
  const calls: [string, ...unknown[]][] = [];
  const desk = new Proxy(
    {},
    {
      get:
        (_target, name: string) =>
        (...args: unknown[]) => {
          calls.push([name, ...args]);
          return name.startsWith('list') ? [] : {};
        },
    },
  ) as IdentitiesDesk;
  return { desk, calls };
}

const body = (value: unknown) => () => Promise.resolve(value);

describe('identitiesApi', () => {
  it.each([
    ['GET', 'users', {}, ['listUsers'], 200],
    ['GET', 'roles', {}, ['listRoles'], 200],
    ['GET', 'managed-policies', {}, ['listManagedPolicies'], 200],
    ['POST', 'users', { userName: 'ann' }, ['createUser', 'ada', 'ann', undefined], 201],
    ['POST', 'users/ann/delete', {}, ['deleteUser', 'ada', 'ann', false], 200],
    [
      'POST',
      'users/ann/delete',
      { withKeysAndPolicies: true },
      ['deleteUser', 'ada', 'ann', true],
      200,
    ],
    ['POST', 'users/ann/access-keys', {}, ['createKey', 'ada', 'ann'], 201],
    [
      'POST',
      'users/ann/access-keys/AKIA1/status',
      { status: 'Inactive' },
      ['setKeyStatus', 'ada', 'ann', 'AKIA1', 'Inactive'],
      200,
    ],
    ['POST', 'users/ann/access-keys/AKIA1/delete', {}, ['deleteKey', 'ada', 'ann', 'AKIA1'], 204],
    ['GET', 'users/ann/policies/p', {}, ['getPolicy', 'user', 'ann', 'p'], 200],
    ['GET', 'roles/r/policies/p', {}, ['getPolicy', 'role', 'r', 'p'], 200],
    [
      'POST',
      'users/ann/policies/p',
      { document: '{}' },
      ['putPolicy', 'ada', 'ann', 'p', '{}'],
      204,
    ],
    // A policy may be called "delete": only the longer path deletes.
    [
      'POST',
      'users/ann/policies/delete',
      { document: '{}' },
      ['putPolicy', 'ada', 'ann', 'delete', '{}'],
      204,
    ],
    ['POST', 'users/ann/policies/p/delete', {}, ['deletePolicy', 'ada', 'ann', 'p'], 204],
    [
      'POST',
      'users/ann/attached-policies',
      { policyArn: 'arn:x' },
      ['attach', 'ada', 'ann', 'arn:x'],
      204,
    ],
    [
      'POST',
      'users/ann/attached-policies/detach',
      { policyArn: 'arn:x' },
      ['detach', 'ada', 'ann', 'arn:x'],
      204,
    ],
    // Names arrive percent-encoded in the path.
    ['POST', 'users/a%2Bb%40c/access-keys', {}, ['createKey', 'ada', 'a+b@c'], 201],
  ] as const)('%s %s', async (method, route, input, call, status) => {
    const { desk, calls } = recordingDesk();
    const answer = await identitiesApi(desk, method, route, 'ada', body(input));
    expect(calls).toEqual([call]);
    expect(answer?.status).toBe(status);
    expect(answer?.body === undefined).toBe(status === 204);
  });

  it('leaves unknown paths and methods to the caller (404), roles unchangeable', async () => {
    const { desk, calls } = recordingDesk();
    for (const [method, route] of [
      ['DELETE', 'users/ann'],
      ['GET', 'users/ann/access-keys'],
      ['POST', 'roles'],
      ['POST', 'roles/r/policies/p'],
      ['POST', 'users/ann/policies'],
      ['GET', 'users/ann/policies/p/q'],
    ] as const)
      expect(await identitiesApi(desk, method, route, 'ada', body({})), route).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('refuses bodies that do not fit, and broken percent-encoding', async () => {
    const { desk, calls } = recordingDesk();
    await expect(
      identitiesApi(desk, 'POST', 'users', 'ada', body({ userName: 'ann', admin: true })),
    ).rejects.toBeInstanceOf(z.ZodError);
    await expect(
      identitiesApi(desk, 'POST', 'users/ann/access-keys/K/status', 'ada', body({ status: 'On' })),
    ).rejects.toBeInstanceOf(z.ZodError);
    await expect(
      identitiesApi(desk, 'POST', 'users/%E0%A4%A/access-keys', 'ada', body({})),
    ).rejects.toBeInstanceOf(ConsoleError);
    expect(calls).toEqual([]);
  });
});
