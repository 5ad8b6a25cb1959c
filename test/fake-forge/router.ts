/** Transport-independent request handling: the same handlers answer in-process or over HTTP. */
export interface FakeRequest {
  method: string;
  /** Path without the API prefix, e.g. `/repos/tre/egress/pulls/1`. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: unknown;
  /** Absolute URL prefix of the API, for Link headers. */
  apiUrl: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type Handler = (request: FakeRequest, params: string[]) => FakeResponse;

export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

export function route(method: string, pattern: string, handler: Handler): Route {
  // `:x` matches one segment, `*` the rest of the path (contents paths contain slashes).
  const source = pattern
    .split('/')
    .map((seg) => (seg === '*' ? '(.+)' : seg.startsWith(':') ? '([^/]+)' : seg.replace(/[.[\]]/g, '\\$&')))
    .join('/');
  return { method, pattern: new RegExp(`^${source}$`), handler };
}

export function dispatch(routes: readonly Route[], request: FakeRequest): FakeResponse | undefined {
  for (const r of routes) {
    if (r.method !== request.method) continue;
    const match = r.pattern.exec(request.path);
    if (match)
      return r.handler(
        request,
        match.slice(1).map((p) => decodeURIComponent(p)),
      );
  }
  return undefined;
}

/** Raw bytes (file downloads), sent as they are. */
export function raw(status: number, bytes: Buffer, contentType: string): FakeResponse {
  return { status, body: bytes, headers: { 'content-type': contentType } };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, body, headers };
}
