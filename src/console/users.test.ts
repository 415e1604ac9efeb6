import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_USERS_FILE, ConsoleUsers, hashPassword, verifyPassword } from './users.js';

const root = { accessKeyId: 'VKROOTKEY', secretAccessKey: 'root-secret-access-key' };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-console-users-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('passwords', () => {
  it('hash with a fresh salt and verify only the right password', async () => {
    const [a, b] = [await hashPassword('correct horse'), await hashPassword('correct horse')];
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsf', a)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });
});

describe('ConsoleUsers', () => {
  it('generates missing passwords once, stores them 0600, and keeps them across loads', async () => {
    const hash = await hashPassword('given password!');
    const users = [
      { name: 'mo', role: 'moderator' as const },
      { name: 'ada', role: 'admin' as const, passwordHash: hash },
    ];
    const first = await ConsoleUsers.load(dir, root, users);
    expect(first.generated.map((g) => g.name)).toEqual(['mo']);
    const password = first.generated[0]!.password;
    expect(password.length).toBeGreaterThanOrEqual(24);
    const file = join(dir, CONSOLE_USERS_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ mo: password });

    const second = await ConsoleUsers.load(dir, root, users);
    expect(second.generated).toEqual([]);
    expect(await second.users.authenticate('mo', password)).toEqual({
      name: 'mo',
      role: 'moderator',
    });
    expect(await second.users.authenticate('ada', 'given password!')).toEqual({
      name: 'ada',
      role: 'admin',
    });
    expect(await second.users.authenticate('ada', password)).toBeUndefined();
    expect(await second.users.authenticate('nobody', password)).toBeUndefined();
    expect(second.users.roleOf('mo')).toBe('moderator');
    expect(second.users.roleOf('gone')).toBeUndefined();
  });

  it('logs root in by access key id (or "root") and secret access key, as admin', async () => {
    const { users } = await ConsoleUsers.load(dir, root, []);
    expect(await users.authenticate('VKROOTKEY', root.secretAccessKey)).toEqual({
      name: 'root',
      role: 'admin',
    });
    expect(await users.authenticate('root', root.secretAccessKey)).toEqual({
      name: 'root',
      role: 'admin',
    });
    expect(await users.authenticate('VKROOTKEY', 'root-secret-access-kez')).toBeUndefined();
    expect(await users.authenticate('root', 'root-secret-access-kez')).toBeUndefined();
    expect(users.roleOf('root')).toBe('admin');
  });

  it('names one account for both of root’s login names, for the login limiter', async () => {
    const { users } = await ConsoleUsers.load(dir, root, [{ name: 'mo', role: 'moderator' }]);
    expect(['VKROOTKEY', 'root', 'mo', 'nobody'].map((name) => users.accountOf(name))).toEqual([
      'root',
      'root',
      'mo',
      'nobody',
    ]);
  });
});
