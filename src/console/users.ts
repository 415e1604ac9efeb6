/**
 * Who may log in to the console: root (its access key id and secret access key, role admin)
 * and the users declared in config, each with a role and a password — a scrypt hash given in
 * config, or one Vigil generated at first start and stored in `<dataDir>/console-users.json`
 * (mode 0600, like the root credentials; never a well-known default).
 */
import {
  randomBytes,
  scrypt as scryptCallback,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Role } from './api-types.js';

export const CONSOLE_USERS_FILE = 'console-users.json';

export interface ConsoleUserConfig {
  name: string;
  role: Role;
  passwordHash?: string | undefined;
}

export interface ConsoleUser {
  name: string;
  role: Role;
}

/** A generated password, to be shown once. */
export interface GeneratedPassword {
  name: string;
  password: string;
}

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions) {
  return new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash` of a password (what `vigil console-user hash` prints). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keyLength, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a password against a hash from `hashPassword`, in constant time. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const [scheme, n, r, p, salt, expected] = hash.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !expected) return false;
  const want = Buffer.from(expected, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), want.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * Number(n) * Number(r) + 1024 * 1024,
  });
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The account root logs in to, by its access key id or by this name. */
const ROOT = 'root';

/**
 * The console's users. `authenticate` answers the user for a correct name and password, or
 * undefined — the same way, after the same work, for root, a user and an unknown name.
 */
export class ConsoleUsers {
  private constructor(
    private readonly rootAccessKeyId: string,
    /** Root's secret access key, hashed like a user's password (see `authenticate`). */
    private readonly rootHash: string,
    private readonly hashes: ReadonlyMap<string, { role: Role; hash: string }>,
  ) {}

  /**
   * Loads the users: config hashes as given; users without one get the password stored in
   * the data directory, or a new generated one (returned in `generated`, to print once).
   */
  static async load(
    dataDir: string,
    root: { accessKeyId: string; secretAccessKey: string },
    users: readonly ConsoleUserConfig[],
  ): Promise<{ users: ConsoleUsers; generated: GeneratedPassword[] }> {
    const file = join(dataDir, CONSOLE_USERS_FILE);
    const stored = await readStoredPasswords(file);
    const generated: GeneratedPassword[] = [];
    const hashes = new Map<string, { role: Role; hash: string }>();
    for (const user of users) {
      if (user.passwordHash) {
        hashes.set(user.name, { role: user.role, hash: user.passwordHash });
        continue;
      }
      let password = stored[user.name];
      if (password === undefined) {
        password = randomBytes(18).toString('base64url');
        stored[user.name] = password;
        generated.push({ name: user.name, password });
      }
      hashes.set(user.name, { role: user.role, hash: await hashPassword(password) });
    }
    if (generated.length > 0)
      await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    const rootHash = await hashPassword(root.secretAccessKey);
    return { users: new ConsoleUsers(root.accessKeyId, rootHash, hashes), generated };
  }

  /**
   * The account a login name means: `root` for root's access key id, else the name itself.
   * The login limiter counts by account, so both of root's names share one allowance.
   */
  accountOf(name: string): string {
    return name === this.rootAccessKeyId ? ROOT : name;
  }

  async authenticate(name: string, password: string): Promise<ConsoleUser | undefined> {
    const account = this.accountOf(name);
    const known =
      account === ROOT ? { role: 'admin' as const, hash: this.rootHash } : this.hashes.get(account);
    // One scrypt of the same cost for every attempt — root, a user, an unknown name — so the
    // time an answer takes tells none of them apart (a plain comparison for root did).
    const ok = await verifyPassword(password, known?.hash ?? DUMMY_HASH);
    return known && ok ? { name: account, role: known.role } : undefined;
  }

  /** The role of a user who may log in now (a session ends when its user is gone). */
  roleOf(name: string): Role | undefined {
    if (name === ROOT) return 'admin';
    return this.hashes.get(name)?.role;
  }
}

const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

/** The generated passwords kept in the data directory, by user name. */
export async function readStoredPasswords(file: string): Promise<Record<string, string>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}
