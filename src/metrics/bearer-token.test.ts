import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.js';
import { authorizeMetrics, bearerMatches, metricsBearerToken } from './bearer-token.js';

const TOKEN = 'prometheus-reads-metrics-0123456789';

describe('bearerMatches', () => {
  it.each([
    [`Bearer ${TOKEN}`, true],
    [`bearer ${TOKEN}`, true],
    [`BEARER  ${TOKEN} `, true],
    [`Bearer ${TOKEN}x`, false],
    [`Bearer ${TOKEN.slice(0, -1)}`, false],
    [`Basic ${TOKEN}`, false],
    [TOKEN, false],
    [`Bearer ${TOKEN} extra`, false],
    ['Bearer ', false],
    ['', false],
    [undefined, false],
  ])('%j → %s', (header, expected) => {
    expect(bearerMatches(header, TOKEN)).toBe(expected);
  });
});

describe('metricsBearerToken', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-metrics-token-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is undefined (metrics open) when nothing is configured', () => {
    expect(metricsBearerToken({})).toBeUndefined();
  });

  it('reads the token file once, without its final newline', async () => {
    const file = join(dir, 'token');
    await writeFile(file, `${TOKEN}\r\n\n`);
    expect(metricsBearerToken({ bearerTokenFile: file })).toBe(TOKEN);
    expect(metricsBearerToken({ bearerToken: TOKEN })).toBe(TOKEN);
  });

  it('refuses a missing or short token file, naming the field and the fix', async () => {
    const missing = join(dir, 'missing');
    expect(() => metricsBearerToken({ bearerTokenFile: missing })).toThrow(
      new ConfigError(
        `Invalid metrics.bearerTokenFile: cannot read ${missing} (ENOENT: no such file or directory, open '${missing}'); mount the secret there or unset the field.`,
      ),
    );
    const short = join(dir, 'short');
    await writeFile(short, 'abc\n');
    expect(() => metricsBearerToken({ bearerTokenFile: short })).toThrow(
      /holds 3 characters; expected at least 16 \(e\.g\. `openssl rand -hex 32 >/,
    );
    const spaced = join(dir, 'spaced');
    await writeFile(spaced, 'two words of a passphrase\n');
    expect(() => metricsBearerToken({ bearerTokenFile: spaced })).toThrow(
      /holds spaces or non-ASCII characters; expected one printable ASCII word/,
    );
  });
});

describe('the metrics section of the configuration', () => {
  const load = (values: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
    loadConfig({}, env, { path: '/etc/vigil/vigil.json', values });

  it('defaults to no token', () => {
    expect(load({}).metrics).toEqual({});
  });

  it('takes VIGIL_METRICS_TOKEN over the file’s token and token file', () => {
    expect(load({ metrics: { bearerTokenFile: 'token' } }, { VIGIL_METRICS_TOKEN: TOKEN })).toEqual(
      expect.objectContaining({ metrics: { bearerToken: TOKEN } }),
    );
  });

  it('resolves the token file against the config file', () => {
    expect(load({ metrics: { bearerTokenFile: 'secrets/token' } }).metrics).toEqual({
      bearerTokenFile: '/etc/vigil/secrets/token',
    });
  });

  it.each([
    [
      { metrics: { bearerToken: 'short' } },
      {},
      'Invalid metrics.bearerToken (from config file /etc/vigil/vigil.json): expected at least 16 characters',
    ],
    [
      {},
      { VIGIL_METRICS_TOKEN: 'short' },
      'Invalid metrics.bearerToken (from environment variable VIGIL_METRICS_TOKEN): expected at least 16 characters',
    ],
    [
      { metrics: { bearerToken: 'a passphrase with spaces' } },
      {},
      'Invalid metrics.bearerToken (from config file /etc/vigil/vigil.json): expected printable ASCII without spaces',
    ],
    [
      { metrics: { bearerToken: TOKEN, bearerTokenFile: '/run/secrets/token' } },
      {},
      'Invalid metrics.bearerTokenFile (from config file /etc/vigil/vigil.json): set bearerToken or bearerTokenFile, not both',
    ],
    [
      { metrics: { token: TOKEN } },
      {},
      'Invalid metrics (from config file /etc/vigil/vigil.json): ',
    ],
  ])('refuses %j %j', (values, env, message) => {
    expect(() => load(values, env)).toThrow(ConfigError);
    expect(() => load(values, env)).toThrow(message);
  });
});

describe('authorizeMetrics', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const token = req.url === '/open' ? undefined : TOKEN;
      if (authorizeMetrics(req, res, token)) res.writeHead(200).end('metrics');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('challenges a request without a token, and rejects a wrong one as invalid_token', async () => {
    const none = await fetch(`${url}/guarded`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="vigil-metrics"');
    expect(await none.text()).toContain('Authorization: Bearer');

    const wrong = await fetch(`${url}/guarded`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe(
      'Bearer realm="vigil-metrics", error="invalid_token"',
    );
    const head = await fetch(`${url}/guarded`, { method: 'HEAD' });
    expect(head.status).toBe(401);
  });

  it('lets the token through, and everything through when no token is set', async () => {
    const ok = await fetch(`${url}/guarded`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect([ok.status, await ok.text()]).toEqual([200, 'metrics']);
    const open = await fetch(`${url}/open`);
    expect([open.status, await open.text()]).toEqual([200, 'metrics']);
  });
});
