/**
 * The console's Identities page against a real Vigil: its API (admins only, IAM's errors,
 * the audit log, CSRF), then the page in real headless Chromium — an admin creates a user and
 * a key, sees the secret once, and the key signs S3 requests through @aws-sdk/client-s3 that
 * are refused, then allowed by an inline policy put through the page, then refused again once
 * the key is deactivated; a moderator sees no such page and gets 403 from the API.
 */
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditEntry,
  CreatedAccessKey,
  DeleteIamUserResponse,
  IamRolesResponse,
  IamUsersResponse,
  IamUserView,
  InlinePolicyResponse,
  ManagedPoliciesResponse,
  Session,
} from '../src/console/api-types.js';
import { launchChromium, probeChromium, saveScreenshot } from './support/browser.js';
import { ConsoleClient } from './support/console.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';

const chromium = probeChromium();
if (!chromium.available && chromium.required)
  it('finds Chromium', () => {
    throw new Error(chromium.message);
  });

const BUCKET = 'iam-photos';
const READ_ONLY = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const listPolicy = (bucket: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` }],
  });

let t: TestVigil;
const passwords = new Map<string, string>();

beforeAll(async () => {
  t = await startTestVigil({
    fsync: false,
    config: {
      console: {
        users: [
          { name: 'mo', role: 'moderator' },
          { name: 'ada', role: 'admin' },
        ],
      },
      iam: {
        users: [
          { name: 'declared-app', policies: { read: JSON.parse(listPolicy(BUCKET)) as object } },
        ],
        roles: [
          {
            name: 'thumbnailer',
            description: 'Makes thumbnails',
            policies: { write: JSON.parse(listPolicy(BUCKET)) as object },
            managedPolicies: [READ_ONLY],
          },
        ],
      },
    },
  });
  for (const p of t.vigil.consolePasswords) passwords.set(p.name, p.password);
  await t.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cat.jpg', Body: 'not a cat' }));
});

afterAll(async () => {
  await t?.stop();
});

async function as(name: string): Promise<ConsoleClient> {
  const client = new ConsoleClient(t.url);
  expect((await client.login(name, passwords.get(name)!)).status).toBe(200);
  return client;
}

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string; field?: string } }).error;
}

/** Lists the bucket with an access key; resolves to the S3 error's name, or 'allowed'. */
async function listWith(key: { accessKeyId: string; secretAccessKey: string }): Promise<string> {
  const s3 = t.client({ credentials: key });
  try {
    await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    return 'allowed';
  } catch (error) {
    return (error as S3ServiceException).name;
  } finally {
    s3.destroy();
  }
}

const auditLog = async (client: ConsoleClient) =>
  (await (await client.get('export/audit?format=json')).json()) as AuditEntry[];

describe('the identities API', () => {
  let ada: ConsoleClient;
  const user = async (name: string): Promise<IamUserView | undefined> =>
    (await ada.json<IamUsersResponse>('identities/users')).users.find((u) => u.name === name);

  beforeAll(async () => {
    ada = await as('ada');
  });

  it('is for admins: a moderator has no identities right and gets 403', async () => {
    expect(((await (await ada.get('session')).json()) as Session).rights).toContain('identities');
    const mo = await as('mo');
    expect(((await (await mo.get('session')).json()) as Session).rights).not.toContain(
      'identities',
    );
    for (const path of ['identities/users', 'identities/roles', 'identities/managed-policies']) {
      const res = await mo.get(path);
      expect(res.status, path).toBe(403);
      expect(await errorOf(res)).toEqual({
        code: 'Forbidden',
        message: 'The moderator role cannot use identities.',
      });
    }
    expect((await mo.post('identities/users', { userName: 'sneaky' })).status).toBe(403);
    expect(await user('sneaky')).toBeUndefined();
    expect((await new ConsoleClient(t.url).get('identities/users')).status).toBe(401);
  });

  it('refuses changes without the CSRF token or from another origin', async () => {
    const forged = await ada.post('identities/users', { userName: 'forged' }, { csrf: false });
    expect(forged.status).toBe(403);
    expect((await errorOf(forged)).code).toBe('CsrfTokenInvalid');
    const cross = await ada.post(
      'identities/users',
      { userName: 'forged' },
      { origin: 'https://evil.example' },
    );
    expect(cross.status).toBe(403);
    expect(await user('forged')).toBeUndefined();
  });

  it('creates a user and a key whose secret is answered once, with IAM errors beside the field', async () => {
    const created = await ada.post('identities/users', { userName: 'api-alice' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      name: 'api-alice',
      arn: 'arn:aws:iam::000000000000:user/api-alice',
      declared: false,
      accessKeys: [],
    });
    const again = await ada.post('identities/users', { userName: 'api-alice' });
    expect(again.status).toBe(409);
    expect(await errorOf(again)).toEqual({
      code: 'EntityAlreadyExists',
      message: 'User with name api-alice already exists.',
      field: 'userName',
    });
    const bad = await ada.post('identities/users', { userName: 'no spaces' });
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatchObject({ code: 'ValidationError', field: 'userName' });

    const keyRes = await ada.post('identities/users/api-alice/access-keys', {});
    expect(keyRes.status).toBe(201);
    const key = (await keyRes.json()) as CreatedAccessKey;
    expect(key).toMatchObject({ userName: 'api-alice', status: 'Active', lastUsedAt: null });
    expect(key.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(key.secretAccessKey).toHaveLength(40);
    const listing = await (await ada.get('identities/users')).text();
    expect(listing).toContain(key.accessKeyId);
    expect(listing).not.toContain(key.secretAccessKey);
    expect(await listWith(key)).toBe('AccessDenied');

    await ada.post('identities/users/api-alice/access-keys', {});
    const third = await ada.post('identities/users/api-alice/access-keys', {});
    expect(third.status).toBe(409);
    expect((await errorOf(third)).code).toBe('LimitExceeded');
  });

  it('puts, shows and deletes an inline policy; a malformed one is refused with IAM’s message', async () => {
    await ada.post('identities/users', { userName: 'api-bob' });
    const key = (await (
      await ada.post('identities/users/api-bob/access-keys', {})
    ).json()) as CreatedAccessKey;
    const malformed = await ada.post('identities/users/api-bob/policies/list', {
      document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}',
    });
    expect(malformed.status).toBe(400);
    const error = await errorOf(malformed);
    expect(error).toMatchObject({ code: 'MalformedPolicyDocument', field: 'document' });
    expect(error.message.length).toBeGreaterThan(10);
    const notJson = await ada.post('identities/users/api-bob/policies/list', { document: '{' });
    expect(await errorOf(notJson)).toMatchObject({ code: 'MalformedPolicyDocument' });

    const put = await ada.post('identities/users/api-bob/policies/list', {
      document: listPolicy(BUCKET),
    });
    expect(put.status).toBe(204);
    expect((await user('api-bob'))!.inlinePolicies).toEqual(['list']);
    expect(await ada.json<InlinePolicyResponse>('identities/users/api-bob/policies/list')).toEqual({
      owner: { kind: 'user', name: 'api-bob' },
      policyName: 'list',
      document: listPolicy(BUCKET),
    });
    expect(await listWith(key)).toBe('allowed');

    expect((await ada.post('identities/users/api-bob/policies/list/delete', {})).status).toBe(204);
    expect((await user('api-bob'))!.inlinePolicies).toEqual([]);
    expect(await listWith(key)).toBe('AccessDenied');
    const missing = await ada.get('identities/users/api-bob/policies/list');
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('NoSuchEntity');
  });

  it('attaches and detaches a managed policy from the list Vigil knows', async () => {
    const { policies } = await ada.json<ManagedPoliciesResponse>('identities/managed-policies');
    expect(policies).toContainEqual(
      expect.objectContaining({ arn: READ_ONLY, name: 'AmazonS3ReadOnlyAccess', awsManaged: true }),
    );
    await ada.post('identities/users', { userName: 'api-carol' });
    const key = (await (
      await ada.post('identities/users/api-carol/access-keys', {})
    ).json()) as CreatedAccessKey;
    const attach = await ada.post('identities/users/api-carol/attached-policies', {
      policyArn: READ_ONLY,
    });
    expect(attach.status).toBe(204);
    expect((await user('api-carol'))!.attachedPolicies).toEqual([READ_ONLY]);
    expect(await listWith(key)).toBe('allowed');
    const unknown = await ada.post('identities/users/api-carol/attached-policies', {
      policyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy',
    });
    expect(await errorOf(unknown)).toMatchObject({ code: 'NoSuchEntity', field: 'policyArn' });

    const detach = await ada.post('identities/users/api-carol/attached-policies/detach', {
      policyArn: READ_ONLY,
    });
    expect(detach.status).toBe(204);
    expect(await listWith(key)).toBe('AccessDenied');
    const twice = await ada.post('identities/users/api-carol/attached-policies/detach', {
      policyArn: READ_ONLY,
    });
    expect(twice.status).toBe(404);
  });

  it('deactivates, activates and deletes a key', async () => {
    await ada.post('identities/users', { userName: 'api-dave' });
    await ada.post('identities/users/api-dave/attached-policies', { policyArn: READ_ONLY });
    const key = (await (
      await ada.post('identities/users/api-dave/access-keys', {})
    ).json()) as CreatedAccessKey;
    const base = `identities/users/api-dave/access-keys/${key.accessKeyId}`;
    expect(await listWith(key)).toBe('allowed');
    const off = await ada.post(`${base}/status`, { status: 'Inactive' });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ accessKeyId: key.accessKeyId, status: 'Inactive' });
    expect(await listWith(key)).toBe('InvalidAccessKeyId');
    expect((await ada.post(`${base}/status`, { status: 'Active' })).status).toBe(200);
    expect(await listWith(key)).toBe('allowed');
    expect((await ada.post(`${base}/status`, { status: 'Maybe' })).status).toBe(400);
    expect((await ada.post(`${base}/delete`, {})).status).toBe(204);
    expect(await listWith(key)).toBe('InvalidAccessKeyId');
    const gone = await ada.post(`${base}/delete`, {});
    expect(gone.status).toBe(404);
    expect((await errorOf(gone)).code).toBe('NoSuchEntity');
  });

  it('refuses to delete a user with keys or policies, or deletes them too when asked', async () => {
    await ada.post('identities/users', { userName: 'api-erin' });
    const key = (await (
      await ada.post('identities/users/api-erin/access-keys', {})
    ).json()) as CreatedAccessKey;
    await ada.post('identities/users/api-erin/policies/list', { document: listPolicy(BUCKET) });
    await ada.post('identities/users/api-erin/attached-policies', { policyArn: READ_ONLY });

    const refused = await ada.post('identities/users/api-erin/delete', {});
    expect(refused.status).toBe(409);
    expect(await errorOf(refused)).toEqual({
      code: 'DeleteConflict',
      message:
        'Cannot delete entity, must delete access keys first. api-erin still has access keys: ' +
        'remove its access keys and policies first, or delete it with its keys and policies.',
    });
    expect(await user('api-erin')).toBeDefined();

    const deleted = await ada.post('identities/users/api-erin/delete', {
      withKeysAndPolicies: true,
    });
    expect(deleted.status).toBe(200);
    expect((await deleted.json()) as DeleteIamUserResponse).toEqual({
      deletedAccessKeys: [key.accessKeyId],
      deletedPolicies: ['list'],
      detachedPolicies: [READ_ONLY],
    });
    expect(await user('api-erin')).toBeUndefined();
    expect(await listWith(key)).toBe('InvalidAccessKeyId');
    expect((await ada.post('identities/users/api-erin/delete', {})).status).toBe(404);
  });

  it('shows users and roles from the config file, and leaves them alone', async () => {
    const declared = (await user('declared-app'))!;
    expect(declared).toMatchObject({ declared: true, inlinePolicies: ['read'] });
    for (const [path, body] of [
      ['identities/users/declared-app/delete', { withKeysAndPolicies: true }],
      ['identities/users/declared-app/access-keys', {}],
      ['identities/users/declared-app/policies/read/delete', {}],
    ] as const) {
      const res = await ada.post(path, body);
      expect(res.status, path).toBe(400);
      expect((await errorOf(res)).code).toBe('UnmodifiableEntity');
    }
    expect((await user('declared-app'))!.inlinePolicies).toEqual(['read']);

    const { roles } = await ada.json<IamRolesResponse>('identities/roles');
    const role = roles.find((r) => r.name === 'thumbnailer')!;
    expect(role).toMatchObject({
      arn: 'arn:aws:iam::000000000000:role/thumbnailer',
      description: 'Makes thumbnails',
      declared: true,
      inlinePolicies: ['write'],
      attachedPolicies: [READ_ONLY],
    });
    expect(JSON.parse(role.trustPolicy)).toMatchObject({ Statement: expect.any(Array) as unknown });
    const inline = await ada.json<InlinePolicyResponse>(
      'identities/roles/thumbnailer/policies/write',
    );
    expect(JSON.parse(inline.document)).toEqual(JSON.parse(listPolicy(BUCKET)));
    // Roles are read-only here.
    expect((await ada.post('identities/roles/thumbnailer/policies/write', {})).status).toBe(404);
  });

  it('writes every change to the audit log', async () => {
    const actions = (await auditLog(ada))
      .filter((entry) => entry.actor === 'ada' && entry.action.startsWith('iam.'))
      .map((entry) => entry.action);
    expect(new Set(actions)).toEqual(
      new Set([
        'iam.user.create',
        'iam.user.delete',
        'iam.key.create',
        'iam.key.deactivate',
        'iam.key.activate',
        'iam.key.delete',
        'iam.policy.put',
        'iam.policy.delete',
        'iam.policy.attach',
        'iam.policy.detach',
      ]),
    );
    const put = (await auditLog(ada)).find(
      (entry) => entry.action === 'iam.policy.put' && entry.note?.includes('api-bob'),
    );
    expect(JSON.parse(put!.note!)).toEqual({
      user: 'api-bob',
      policyName: 'list',
      document: listPolicy(BUCKET),
    });
    // The erin cascade: each step on its own, then the user.
    const erin = (await auditLog(ada))
      .filter((entry) => entry.note?.includes('"api-erin"'))
      .map((entry) => entry.action);
    expect(erin.slice(-4)).toEqual([
      'iam.key.delete',
      'iam.policy.delete',
      'iam.policy.detach',
      'iam.user.delete',
    ]);
  });
});

describe.skipIf(!chromium.available)('the Identities page in Chromium', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // The page must be in the bundle the server sends: build with node scripts/build-console.mjs.
    const bundle = await readFile(
      new URL('../dist/console/web/app.js', import.meta.url),
      'utf8',
    ).catch(() => '');
    if (!bundle.includes('nav-identities'))
      throw new Error(
        'The console bundle has no Identities page: run node scripts/build-console.mjs first.',
      );
    browser = await launchChromium();
  }, 120_000);

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    expect(pageErrors.splice(0), 'uncaught errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
      locale: 'en-GB',
    });
    context.setDefaultTimeout(30_000);
    context.on('weberror', (error) => pageErrors.push(error.error().message));
    contexts.push(context);
    return context.newPage();
  }

  async function logIn(page: Page, name: string): Promise<void> {
    await page.goto(`${t.url}/_vigil/console/login`);
    await page.getByTestId('login-username').fill(name);
    await page.getByTestId('login-password').fill(passwords.get(name)!);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user').waitFor();
  }

  const statusSays = (page: Page, text: string) =>
    page.getByTestId('status').getByText(text, { exact: true }).waitFor();

  it('lets an admin create a user and a key, shows the secret once, and grants and revokes access', async () => {
    const page = await newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: t.url,
    });
    await logIn(page, 'ada');
    await page.getByTestId('nav-identities').click();
    await page.getByRole('heading', { name: 'Identities', exact: true }).waitFor();
    await page.getByTestId('iam-role').filter({ hasText: 'thumbnailer' }).waitFor();

    await page.getByTestId('iam-new-user').fill('web-uploader');
    await page.getByTestId('iam-create-user').click();
    await statusSays(page, 'Created user web-uploader');
    const card = page.locator('[data-testid="iam-user"][data-name="web-uploader"]');
    await card.waitFor();
    expect(await card.getByTestId('iam-user-arn').textContent()).toBe(
      'arn:aws:iam::000000000000:user/web-uploader',
    );

    // The key's secret, once, with the warning and a copy button.
    await card.getByTestId('iam-create-key').click();
    const dialog = page.getByTestId('secret-dialog');
    await dialog.getByTestId('secret-access-key').waitFor();
    expect(await dialog.getByTestId('secret-warning').textContent()).toContain(
      'will not be shown again',
    );
    const key = {
      accessKeyId: (await dialog.getByTestId('secret-access-key-id').textContent())!,
      secretAccessKey: (await dialog.getByTestId('secret-access-key').textContent())!,
    };
    expect(key.accessKeyId).toMatch(/^AKIA/);
    expect(key.secretAccessKey).toHaveLength(40);
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(true);
    await dialog.getByTestId('secret-copy').click();
    await dialog.getByText('Secret copied to the clipboard.').waitFor();
    const clipboard = await page.evaluate(() => {
      // The test project has no DOM library: the one member used here, typed by hand.
      const { navigator } = globalThis as unknown as {
        navigator: { clipboard: { readText(): Promise<string> } };
      };
      return navigator.clipboard.readText();
    });
    expect(clipboard).toBe(key.secretAccessKey);
    await saveScreenshot(page, 'console', 'identities-secret');
    await dialog.getByTestId('secret-close').click();
    await dialog.waitFor({ state: 'hidden' });
    const row = card.locator(`[data-testid="iam-key"][data-id="${key.accessKeyId}"]`);
    await row.waitFor();
    expect(await page.content()).not.toContain(key.secretAccessKey);
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(key.secretAccessKey);

    // No policy: the key signs, and S3 refuses.
    expect(await listWith(key)).toBe('AccessDenied');

    // A malformed policy: IAM's message beside the field, nothing stored.
    await card.getByTestId('iam-policy-toggle').click();
    await card.getByTestId('iam-policy-name').fill('list-photos');
    await card.getByTestId('iam-policy-document').fill('{"Version":"2012-10-17"}');
    await card.getByTestId('iam-policy-save').click();
    const fieldError = card.getByTestId('iam-policy-error');
    await fieldError.waitFor();
    expect((await fieldError.textContent())!.length).toBeGreaterThan(5);
    expect(await card.getByTestId('iam-policy-document').getAttribute('aria-describedby')).toBe(
      await fieldError.getAttribute('id'),
    );
    expect(await card.getByTestId('iam-inline-policy').count()).toBe(0);

    await card.getByTestId('iam-policy-document').fill(listPolicy(BUCKET));
    await card.getByTestId('iam-policy-save').click();
    await statusSays(page, 'Saved policy list-photos of web-uploader');
    await card.locator('[data-testid="iam-inline-policy"][data-name="list-photos"]').waitFor();
    expect(await listWith(key)).toBe('allowed');
    await card.getByTestId('iam-policy-view').click();
    expect(await card.getByTestId('iam-policy-shown').textContent()).toContain(
      '"Action": "s3:ListBucket"',
    );
    await card.getByTestId('iam-policy-edit').click();
    await expect
      .poll(() => card.getByTestId('iam-policy-document').inputValue())
      .toContain('"s3:ListBucket"');
    await card.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'console', 'identities');

    // Deactivated, the key is refused at once.
    await row.getByTestId('iam-key-deactivate').click();
    await statusSays(page, `Deactivated key ${key.accessKeyId}`);
    await card.locator(`[data-testid="iam-key"][data-status="Inactive"]`).waitFor();
    expect(await listWith(key)).toBe('InvalidAccessKeyId');

    const audit = (await auditLog(await as('ada'))).filter((entry) =>
      entry.note?.includes('"web-uploader"'),
    );
    expect(audit.map((entry) => entry.action)).toEqual([
      'iam.user.create',
      'iam.key.create',
      'iam.policy.put',
      'iam.key.deactivate',
    ]);

    // Deleting it takes its key and policy with it, after the confirmation.
    await card.getByTestId('iam-delete-user').click();
    const confirm = card.getByTestId('iam-delete-dialog');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('1 access key and 1 policy');
    await confirm.getByTestId('iam-confirm-delete-user').click();
    await statusSays(page, 'Deleted user web-uploader');
    await card.waitFor({ state: 'detached' });
  }, 120_000);

  it('shows a moderator no Identities page, and the API answers 403', async () => {
    const page = await newPage();
    await logIn(page, 'mo');
    await page.getByTestId('nav-review').waitFor();
    expect(await page.getByTestId('nav-identities').count()).toBe(0);
    await page.goto(`${t.url}/_vigil/console/#/identities`);
    await page.getByRole('heading', { name: 'Not available' }).waitFor();
    const answers = await page.evaluate(async () => {
      const base = '/_vigil/console/api/';
      const session = (await (await fetch(`${base}session`)).json()) as { csrfToken: string };
      const list = await fetch(`${base}identities/users`);
      const create = await fetch(`${base}identities/users`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ userName: 'from-moderator' }),
      });
      return { list: list.status, create: create.status, body: await create.json() };
    });
    expect(answers).toEqual({
      list: 403,
      create: 403,
      body: {
        error: { code: 'Forbidden', message: 'The moderator role cannot use identities.' },
      },
    });
  });
});
