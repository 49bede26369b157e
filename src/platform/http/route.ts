import type { IncomingHttpHeaders } from 'node:http';
import type { Static, TSchema } from '@sinclair/typebox';
import type { ErrorCode } from './errors.js';

/**
 * One source of truth for an HTTP route. From this object come validation (Ajv), handler types
 * (Static<>), the OpenAPI document and the security suite; for the User API also the docs page,
 * the admin's route table and the request log's route id. Each HTTP surface binds what its
 * handlers get (`Deps`) and who may call it (`Callers`, one principal type per auth mode) with
 * `routeDefiner`: the User API in src/userapi/route.ts, the Admin API in src/admin/route.ts.
 * Nothing here knows a feature, so any surface can use it without an import circle.
 */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteContext<Deps = unknown, Caller = unknown> {
  app: Deps;
  requestId: string;
  ip: string;
  headers: IncomingHttpHeaders;
  /** How the request reached us (X-Forwarded-Proto from a trusted proxy) and the host it asked for. */
  readonly protocol: 'http' | 'https';
  readonly hostname: string;
  /** Who is calling, as the surface's guard authenticated them (undefined on public routes). */
  principal: Caller;
  /** Sets a response header (e.g. Location, Cache-Control, Set-Cookie). */
  setHeader(name: string, value: string): void;
  /** Overrides the declared success status (e.g. 200 instead of 201 on an idempotent replay). */
  setStatus(status: number): void;
  /** Names the client a public route turned out to act for (a login), so the request log shows it. */
  logClient(clientId: string): void;
}

type StaticOr<T> = T extends TSchema ? Static<T> : undefined;

export interface RouteSpec<
  P extends TSchema | undefined = TSchema | undefined,
  Q extends TSchema | undefined = TSchema | undefined,
  B extends TSchema | undefined = TSchema | undefined,
  R extends TSchema | undefined = TSchema | undefined,
  A extends string = string,
  Ctx = RouteContext,
> {
  method: HttpMethod;
  /** OpenAPI-style path below the surface's prefix, e.g. `/services/{id}`. */
  path: string;
  /** Stable identifier: the admin's overrides, aliases and the request log refer to it. */
  operationId: string;
  category: string;
  summary: string;
  description: string;
  /** How the caller authenticates; each surface names its own modes (`none` is always public). */
  auth: A;
  /**
   * `write` routes refuse read-only API tokens (403 insufficient_scope). Defaults: GET → read,
   * others → write. Declare `write` on a GET whose answer is a secret or that changes state (the
   * one-time panel login); the security suite holds every write route to it.
   */
  scope?: 'read' | 'write';
  params?: P;
  query?: Q;
  body?: B;
  response: {
    status: 200 | 201 | 202 | 204;
    description: string;
    schema?: R;
    /** The media type of a body that is not JSON (a CSV export); its handler returns the text. */
    contentType?: string;
  };
  /** Errors this route can return besides the ones every route of its kind can (401, 429, 400, 500). */
  errors?: ErrorCode[];
  /** Honours `Idempotency-Key`: a retried request with the same key gets the first response. */
  idempotent?: boolean;
  /** Rate-limit bucket: `api` (the admin's limit) or `login` (failed-login throttling applies instead). */
  rateLimit?: 'api' | 'login';
  handler(
    input: { params: StaticOr<P>; query: StaticOr<Q>; body: StaticOr<B> },
    ctx: Ctx,
  ): Promise<StaticOr<R> | undefined>;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds routes of every shape
export type AnyRouteSpec = RouteSpec<any, any, any, any, any, any>;

/**
 * A `defineRoute` for one surface: its handlers get `Deps` as `ctx.app`, and the principal of the
 * route's auth mode as `ctx.principal`.
 */
export function routeDefiner<Deps, Callers extends { none: undefined }>() {
  return function defineRoute<
    P extends TSchema | undefined = undefined,
    Q extends TSchema | undefined = undefined,
    B extends TSchema | undefined = undefined,
    R extends TSchema | undefined = undefined,
    A extends keyof Callers & string = keyof Callers & string,
  >(spec: RouteSpec<P, Q, B, R, A, RouteContext<Deps, Callers[A]>>): AnyRouteSpec {
    return spec as AnyRouteSpec;
  };
}

export function routeScope(spec: AnyRouteSpec): 'read' | 'write' {
  return spec.scope ?? (spec.method === 'GET' ? 'read' : 'write');
}

/** `/services/{id}` → `/services/:id` for Fastify's router. */
export function toRouterPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}
