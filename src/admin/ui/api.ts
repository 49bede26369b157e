// The Admin API client: every call is typed by the operation's declarations, generated from the
// Admin API's OpenAPI document (admin-api.d.ts, `npm run openapi:write`).
import type { Paths } from './admin-api.js';

export const API = '/admin/api/v1';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
interface OperationShape {
  params: object;
  query: object;
  body: unknown;
  response: unknown;
}
export type Operation<P extends keyof Paths, M extends keyof Paths[P]> = Paths[P][M] extends infer O extends
  OperationShape
  ? O
  : never;
export type Response<P extends keyof Paths, M extends keyof Paths[P]> = Operation<P, M>['response'];
export type Query<P extends keyof Paths, M extends keyof Paths[P]> = Operation<P, M>['query'];

interface Args<O extends OperationShape> {
  params?: O['params'];
  query?: Partial<{ [K in keyof O['query']]: O['query'][K] | string }>;
  body?: O['body'];
}

export interface FieldError {
  field: string;
  message: string;
}

/** A problem+json answer: its code, the server's explanation and, for bad input, each field. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly fields: FieldError[],
  ) {
    super(message);
  }
}

/** What the signed-in admin's role may do (the Admin API's permission names, docs/adr/0011). */
export type Permission = Response<'/session', 'GET'>['permissions'][number];
interface Me {
  email: string;
  role: string;
  permissions: readonly Permission[];
}

let csrf: string | null = null;
let me: Me | null = null;
let onLoggedOut: () => void = () => {};

export const session = {
  get loggedIn(): boolean {
    return csrf !== null;
  },
  /** The session's CSRF token and who it is (the answer of GET or POST /session); null when logged out. */
  set(token: string | null, who: Me | null = null): void {
    csrf = token;
    me = token === null ? null : who;
  },
  get me(): Me | null {
    return me;
  },
  /**
   * Whether the admin's role may use an action: pages leave out what it may not. The server checks
   * every call anyway; this only keeps buttons that would answer 403 off the page.
   */
  may(permission: Permission): boolean {
    return me?.permissions.includes(permission) ?? false;
  },
  /** What to do when the server answers 401 (the session ended): the router shows the login form. */
  onLoggedOut(handler: () => void): void {
    onLoggedOut = handler;
  },
};

/** The URL of an operation, its path parameters filled in and its query appended (empty values left out). */
export function url<P extends keyof Paths>(path: P, params: object = {}, query: Record<string, unknown> = {}): string {
  const values = params as Record<string, string>;
  const filled = String(path).replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(values[name] ?? ''));
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const qs = search.toString();
  return `${API}${filled}${qs ? `?${qs}` : ''}`;
}

export async function call<P extends keyof Paths, M extends keyof Paths[P] & Method>(
  method: M,
  path: P,
  args: Args<Operation<P, M>> = {},
): Promise<Response<P, M>> {
  const headers: Record<string, string> = {};
  if (args.body !== undefined) headers['content-type'] = 'application/json';
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  const res = await fetch(url(path, args.params ?? {}, (args.query ?? {}) as Record<string, unknown>), {
    method,
    headers,
    credentials: 'same-origin',
    body: args.body === undefined ? undefined : JSON.stringify(args.body),
  });
  if (res.status === 204) return null as Response<P, M>;
  const data = (await res.json().catch(() => ({}))) as {
    detail?: string;
    title?: string;
    code?: string;
    errors?: FieldError[];
  };
  if (!res.ok) {
    const error = new ApiError(
      data.detail || data.title || `The request failed (${res.status}).`,
      res.status,
      data.code,
      data.errors ?? [],
    );
    // The session ended (or never began): the server says why; the login form handles its own 401s.
    if (res.status === 401 && !(method === 'POST' && path === '/session')) {
      csrf = null;
      me = null;
      onLoggedOut();
    }
    throw error;
  }
  return data as Response<P, M>;
}
