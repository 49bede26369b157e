import type { IncomingHttpHeaders } from 'node:http';
import type { Static, TSchema } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.js';
import type { AuthMethod } from '../../settings/definitions.js';
import type { ErrorCode } from './errors.js';

/**
 * One source of truth for a User API route. From this object come validation (Ajv), handler types
 * (Static<>), the OpenAPI document, the docs page, the admin's route table and the request log's
 * route id. Declare a route with `defineRoute({...})` in its feature module's `routes.ts`.
 */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** `none`: public (rate-limited per IP). `client`: a logged-in client (rate-limited per client). */
export type RouteAuth = 'none' | 'client';

/** Who is calling: a client authenticated by one of the User API's methods. */
export interface Principal {
  clientId: string;
  method: AuthMethod;
  /** Personal API tokens can be read-only; Basic and JWT are always read-write. */
  scope: 'read' | 'write';
  /** The login session (refresh-token family) behind a JWT. */
  sessionId?: string;
  /** The personal API token used. */
  tokenId?: string;
}

export interface RouteContext<A extends RouteAuth = RouteAuth> {
  app: AppContext;
  requestId: string;
  ip: string;
  headers: IncomingHttpHeaders;
  principal: A extends 'client' ? Principal : undefined;
  /** Sets a response header (e.g. Location, Cache-Control). */
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
  A extends RouteAuth = RouteAuth,
> {
  method: HttpMethod;
  /** OpenAPI-style path below /api/v1, e.g. `/services/{id}`. */
  path: string;
  /** Stable identifier: the admin's overrides, aliases and the request log refer to it. */
  operationId: string;
  category: string;
  summary: string;
  description: string;
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
  response: { status: 200 | 201 | 202 | 204; description: string; schema?: R };
  /** Errors this route can return besides the ones every route of its kind can (401, 429, 400, 500). */
  errors?: ErrorCode[];
  /** Honours `Idempotency-Key`: a retried request with the same key gets the first response. */
  idempotent?: boolean;
  /** Rate-limit bucket: `api` (the admin's limit) or `login` (failed-login throttling applies instead). */
  rateLimit?: 'api' | 'login';
  handler(
    input: { params: StaticOr<P>; query: StaticOr<Q>; body: StaticOr<B> },
    ctx: RouteContext<A>,
  ): Promise<StaticOr<R> | undefined>;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds routes of every shape
export type AnyRouteSpec = RouteSpec<any, any, any, any, any>;

export function defineRoute<
  P extends TSchema | undefined = undefined,
  Q extends TSchema | undefined = undefined,
  B extends TSchema | undefined = undefined,
  R extends TSchema | undefined = undefined,
  A extends RouteAuth = RouteAuth,
>(spec: RouteSpec<P, Q, B, R, A>): AnyRouteSpec {
  return spec as AnyRouteSpec;
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
