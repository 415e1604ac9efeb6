/**
 * The `identities/…` endpoints of the console API (right: `identities`, admins only): which
 * path and method does what, and the shape of each body. The caller has already checked the
 * session, the right, CSRF and the origin, and turns the answer into JSON.
 */
import { z } from 'zod';
import { ConsoleError } from './errors.js';
import type { IdentitiesDesk } from './identities-desk.js';

export const IDENTITIES_PREFIX = 'identities/';

/** An answer to send: a JSON body, or none (204). */
export interface IdentitiesAnswer {
  status: number;
  body?: unknown;
}

const createUserInput = z
  .object({ userName: z.string().max(128), path: z.string().max(512).optional() })
  .strict();
const deleteUserInput = z.object({ withKeysAndPolicies: z.boolean().optional() }).strict();
const keyStatusInput = z.object({ status: z.enum(['Active', 'Inactive']) }).strict();
const putPolicyInput = z.object({ document: z.string().max(20_000) }).strict();
const attachInput = z.object({ policyArn: z.string().min(1).max(2048) }).strict();

const SEGMENT = '([^/]+)';
const ROUTES: { method: string; pattern: RegExp; name: string }[] = [
  ['GET', 'users', 'listUsers'],
  ['GET', 'roles', 'listRoles'],
  ['GET', 'managed-policies', 'listManaged'],
  ['POST', 'users', 'createUser'],
  ['POST', `users/${SEGMENT}/delete`, 'deleteUser'],
  ['POST', `users/${SEGMENT}/access-keys`, 'createKey'],
  ['POST', `users/${SEGMENT}/access-keys/${SEGMENT}/status`, 'keyStatus'],
  ['POST', `users/${SEGMENT}/access-keys/${SEGMENT}/delete`, 'deleteKey'],
  ['GET', `(users|roles)/${SEGMENT}/policies/${SEGMENT}`, 'getPolicy'],
  ['POST', `users/${SEGMENT}/policies/${SEGMENT}`, 'putPolicy'],
  ['POST', `users/${SEGMENT}/policies/${SEGMENT}/delete`, 'deletePolicy'],
  ['POST', `users/${SEGMENT}/attached-policies`, 'attach'],
  ['POST', `users/${SEGMENT}/attached-policies/detach`, 'detach'],
].map(([method, path, name]) => ({
  method: method!,
  pattern: new RegExp(`^${path}$`),
  name: name!,
}));

/**
 * Answers one `identities/…` request, or returns undefined when no endpoint has that method
 * and path. `route` is the path after `identities/`, still percent-encoded.
 *
 * @example
 * await identitiesApi(desk, 'POST', 'users/alice/access-keys', 'root', readBody);
 * // → { status: 201, body: { accessKeyId: 'AKIA…', secretAccessKey: '…', … } }
 */
export async function identitiesApi(
  desk: IdentitiesDesk,
  method: string,
  route: string,
  actor: string,
  readBody: () => Promise<unknown>,
): Promise<IdentitiesAnswer | undefined> {
  let match: { name: string; args: string[] } | undefined;
  for (const candidate of ROUTES) {
    const found = candidate.method === method ? candidate.pattern.exec(route) : null;
    if (found) {
      match = { name: candidate.name, args: found.slice(1).map(decode) };
      break;
    }
  }
  if (!match) return undefined;
  const [a = '', b = '', c = ''] = match.args;
  const ok = (body: unknown, status = 200): IdentitiesAnswer => ({ status, body });
  const none: IdentitiesAnswer = { status: 204 };

  switch (match.name) {
    case 'listUsers':
      return ok({ users: desk.listUsers() });
    case 'listRoles':
      return ok({ roles: desk.listRoles() });
    case 'listManaged':
      return ok({ policies: desk.listManagedPolicies() });
    case 'createUser': {
      const input = createUserInput.parse(await readBody());
      return ok(await desk.createUser(actor, input.userName, input.path), 201);
    }
    case 'deleteUser': {
      const input = deleteUserInput.parse(await readBody());
      return ok(await desk.deleteUser(actor, a, input.withKeysAndPolicies ?? false));
    }
    case 'createKey':
      return ok(await desk.createKey(actor, a), 201);
    case 'keyStatus': {
      const input = keyStatusInput.parse(await readBody());
      return ok(await desk.setKeyStatus(actor, a, b, input.status));
    }
    case 'deleteKey':
      await desk.deleteKey(actor, a, b);
      return none;
    case 'getPolicy':
      return ok(desk.getPolicy(a === 'users' ? 'user' : 'role', b, c));
    case 'putPolicy': {
      const input = putPolicyInput.parse(await readBody());
      await desk.putPolicy(actor, a, b, input.document);
      return none;
    }
    case 'deletePolicy':
      await desk.deletePolicy(actor, a, b);
      return none;
    case 'attach': {
      const input = attachInput.parse(await readBody());
      await desk.attach(actor, a, input.policyArn);
      return none;
    }
    case 'detach': {
      const input = attachInput.parse(await readBody());
      await desk.detach(actor, a, input.policyArn);
      return none;
    }
  }
  return undefined;
}

function decode(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    throw new ConsoleError(400, 'InvalidInput', 'The path is not valid percent-encoding.');
  }
}
