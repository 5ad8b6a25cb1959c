import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { giteaRoutes } from './gitea-dialect.js';
import { githubRoutes } from './github-dialect.js';
import { createWorld, type FakeWorld } from './model.js';
import { dispatch, type FakeRequest, type FakeResponse, type Route } from './router.js';

export type Dialect = 'github' | 'gitea';

export interface FakeForge extends AsyncDisposable {
  dialect: Dialect;
  world: FakeWorld;
  /** What GITHUB_API_URL would be: `<server>` on GitHub, `<server>/api/v1` on Gitea. */
  apiUrl: string;
  /** Answers one request without a socket (the same handlers the listener uses). */
  handle(request: Omit<FakeRequest, 'apiUrl'>): FakeResponse;
  close(): Promise<void>;
}

/** Answers like GitHub or Gitea on 127.0.0.1:<random>; anything it does not know is a loud 404. */
export async function startFakeForge(dialect: Dialect, world: FakeWorld = createWorld()): Promise<FakeForge> {
  const routes: Route[] = dialect === 'github' ? githubRoutes(world) : giteaRoutes(world);
  const prefix = dialect === 'github' ? '/api/v3' : '/api/v1';
  let apiUrl = '';

  function handle(request: Omit<FakeRequest, 'apiUrl'>): FakeResponse {
    const auth = request.headers['authorization'] ?? '';
    const fault = world.faults.find(
      (f) => f.remaining > 0 && `${request.method} ${request.path}`.startsWith(f.match),
    );
    if (fault) fault.remaining -= 1;
    const answer = fault
      ? { status: fault.status, body: { message: `injected failure ${fault.status}` } }
      : auth !== `token ${world.token}` && auth !== `Bearer ${world.token}`
        ? { status: 401, body: { message: 'Bad credentials' } }
        : (dispatch(routes, { ...request, apiUrl }) ?? unknown(request));
    world.calls.push({
      method: request.method,
      path: request.path,
      query: request.query.toString(),
      status: answer.status,
    });
    return answer;
  }

  function unknown(request: Omit<FakeRequest, 'apiUrl'>): FakeResponse {
    const line = `${request.method} ${request.path}${request.query.size ? `?${request.query}` : ''}`;
    world.unknown.push(line);
    return { status: 404, body: { message: `fake ${dialect} forge: no route for ${line}` } };
  }

  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let answer: FakeResponse;
      if (!url.pathname.startsWith(prefix)) {
        answer = unknown({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: {},
          body: undefined,
        });
      } else {
        let body: unknown;
        try {
          body = raw === '' ? undefined : JSON.parse(raw);
        } catch {
          body = raw;
        }
        answer = handle({
          method: req.method ?? 'GET',
          path: decodeURI(url.pathname.slice(prefix.length)) || '/',
          query: url.searchParams,
          headers: req.headers as Record<string, string | undefined>,
          body,
        });
      }
      const payload = Buffer.isBuffer(answer.body)
        ? answer.body
        : answer.body === undefined
          ? ''
          : JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        ...(payload.length > 0 ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        ...answer.headers,
      });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  apiUrl = `http://127.0.0.1:${port}${prefix}`;

  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });
  return { dialect, world, apiUrl, handle, close, [Symbol.asyncDispose]: close };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
