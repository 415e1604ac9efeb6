/**
 * A console API client for tests: keeps the session cookie and CSRF token a browser would,
 * and can leave either out to check that the server refuses.
 */
export class ConsoleClient {
  cookie: string | undefined;
  csrfToken: string | undefined;
  setCookie: string | undefined;

  constructor(readonly base: string) {}

  /** Logs in; returns the response (status 200 on success) and keeps the session. */
  async login(username: string, password: string): Promise<Response> {
    const res = await this.request('POST', 'login', { username, password });
    if (res.status === 200) {
      this.setCookie = res.headers.get('set-cookie') ?? undefined;
      this.cookie = this.setCookie?.split(';')[0];
      this.csrfToken = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
    }
    return res;
  }

  get(path: string): Promise<Response> {
    return this.request('GET', path);
  }

  post(
    path: string,
    body?: unknown,
    options: { csrf?: boolean; origin?: string } = {},
  ): Promise<Response> {
    return this.request('POST', path, body, options);
  }

  async json<T>(path: string): Promise<T> {
    const res = await this.get(path);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  request(
    method: string,
    path: string,
    body?: unknown,
    options: { csrf?: boolean; origin?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers['cookie'] = this.cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && options.csrf !== false && this.csrfToken)
      headers['x-csrf-token'] = this.csrfToken;
    if (options.origin) headers['origin'] = options.origin;
    return fetch(`${this.base}/_vigil/console/api/${path}`, {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
}
