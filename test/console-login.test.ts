/**
 * Console logins against a real Vigil, as an attacker would try them: many guesses at once,
 * timing answers to tell names apart, and a user name built to run as a spreadsheet formula
 * once the audit log is exported as CSV. Each test speaks from its own loopback address
 * (127.0.0.x), since the limiter also counts per client address.
 */
import { parse } from 'csv-parse/sync';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient } from './support/console.js';
import { startTestVigil, type TestVigil } from './support/vigil.js';

/** Failed logins allowed per user name; an address may fail five times as often. */
const ATTEMPTS = 20;

let t: TestVigil;
let root: ConsoleClient;
let password: string;

beforeAll(async () => {
  t = await startTestVigil({
    config: {
      seed: false,
      console: {
        loginAttempts: ATTEMPTS,
        users: [
          { name: 'ann', role: 'viewer' },
          { name: 'ben', role: 'viewer' },
        ],
      },
    },
  });
  password = t.vigil.consolePasswords.find((p) => p.name === 'ann')!.password;
  root = new ConsoleClient(t.url);
  expect((await root.login(t.accessKeyId, t.secretAccessKey)).status).toBe(200);
});

afterAll(async () => {
  await t?.stop();
});

/** POST login from a given loopback address; answers the status. */
function loginFrom(address: string, username: string, secret: string): Promise<number> {
  const { hostname, port } = new URL(t.url);
  const body = JSON.stringify({ username, password: secret });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        localAddress: address,
        method: 'POST',
        path: '/_vigil/console/api/login',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        // One connection per request: 200 of them are 200 concurrent logins.
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((n, s) => ({ ...n, [s]: (n[s] ?? 0) + 1 }), {});

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe('console login limiting', () => {
  it('checks no more passwords for one user than the limit, however many arrive at once', async () => {
    const guesses = Array.from({ length: 200 }, (_, i) => loginFrom('127.0.0.2', 'ann', `no-${i}`));
    expect(tally(await Promise.all(guesses))).toEqual({ 401: ATTEMPTS, 429: 200 - ATTEMPTS });
    // The right password, once the allowance is spent, is refused like any other.
    expect(await loginFrom('127.0.0.2', 'ann', password)).toBe(429);
    expect(await loginFrom('127.0.0.9', 'ann', password)).toBe(429);
  });

  it('checks no more passwords from one address than its limit, whatever names are tried', async () => {
    const guesses = Array.from({ length: 200 }, (_, i) =>
      loginFrom('127.0.0.3', `nobody-${i}`, 'guess'),
    );
    const addressLimit = ATTEMPTS * 5;
    expect(tally(await Promise.all(guesses))).toEqual({
      401: addressLimit,
      429: 200 - addressLimit,
    });
    expect(await loginFrom('127.0.0.3', 'ben', 'guess')).toBe(429);
  });

  it('takes as long to refuse a wrong password for root as for a user or an unknown name', async () => {
    const names = { root: t.accessKeyId, user: 'ben', unknown: 'nobody' } as const;
    const times: Record<keyof typeof names, number[]> = { root: [], user: [], unknown: [] };
    // Interleaved, so a busy moment on the machine slows every kind alike.
    for (let round = 0; round < 15; round++) {
      for (const kind of Object.keys(names) as (keyof typeof names)[]) {
        const started = performance.now();
        expect(await loginFrom('127.0.0.4', names[kind], `wrong-${round}`)).toBe(401);
        times[kind].push(performance.now() - started);
      }
    }
    const medians = Object.values(times).map(median);
    // Before every attempt paid for one scrypt, root answered in ~4 ms and the others in ~55.
    expect(Math.max(...medians) / Math.min(...medians), JSON.stringify(medians)).toBeLessThan(3);
  });

  it('counts root in one allowance whether it logs in by access key id or as "root"', async () => {
    // A right password forgets root's earlier failures (the timing test's).
    expect(await loginFrom('127.0.0.5', 'root', t.secretAccessKey)).toBe(200);
    for (let i = 0; i < ATTEMPTS; i++) {
      const name = i % 2 === 0 ? 'root' : t.accessKeyId;
      expect(await loginFrom('127.0.0.5', name, `wrong-${i}`)).toBe(401);
    }
    expect(await loginFrom('127.0.0.5', 'root', 'wrong')).toBe(429);
    expect(await loginFrom('127.0.0.5', t.accessKeyId, t.secretAccessKey)).toBe(429);
  });
});

describe('the audit log as CSV', () => {
  it('neutralises a user name that a spreadsheet would run as a formula', async () => {
    const formula = '=HYPERLINK("http://evil","x")';
    expect(await loginFrom('127.0.0.6', formula, 'guess')).toBe(401);
    const res = await root.get('export/audit?format=csv');
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const csv = await res.text();
    const rows = parse<Record<string, string>>(csv, { columns: true });
    const failed = rows.filter((r) => r.action === 'login.failed' && r.note === 'from 127.0.0.6');
    expect(failed.map((r) => r.actor)).toEqual([`'${formula}`]);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });
});
