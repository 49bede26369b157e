import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import type { Principal } from '../auth/principal.js';
import { AppError } from '../platform/http/errors.js';
import { HandlerContext } from '../platform/http/handler-context.js';
import { type AnyRouteSpec, routeScope, toRouterPath } from '../platform/http/route.js';
import { withIdempotency } from './idempotency.js';
import { applyRateLimit } from './rate-limit.js';
import { API_PREFIX } from './route-table.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    /** The User API route's canonical id, set first thing by its guard (the request log reads it). */
    operationId: string | undefined;
    /** The client a public route acted for (a login), for the request log. */
    loggedClientId: string | undefined;
  }
}

/**
 * Gatekeeping before the body is even parsed: the route must be enabled, the caller authenticated
 * (for client routes) and within the rate limit, and the credential's scope must allow the action.
 */
async function guard(app: AppContext, spec: AnyRouteSpec, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  request.operationId = spec.operationId;
  // Called through an alias (rewritten before routing): the alias's own flag decides, so an alias
  // keeps answering when the original is disabled, and the other way round.
  const called = request.originalUrl;
  const enabled =
    called === request.url
      ? app.routes.isEnabled(spec.operationId)
      : app.routes.match(request.method, called)?.alias.target === spec.operationId;
  if (!enabled) {
    throw new AppError(
      'route_not_found',
      `No route ${request.method} ${called.split('?')[0]}. See /api/docs for the routes.`,
    );
  }
  if (spec.auth === 'none') {
    await applyRateLimit(app, reply, `ip:${request.ip}`);
    return;
  }
  let principal: Principal;
  try {
    principal = await app.auth.authenticate(request.headers.authorization, request.ip);
  } catch (error) {
    // Failed authentication still counts against the caller's address, so floods of bad
    // credentials meet the rate limit too.
    await applyRateLimit(app, reply, `ip:${request.ip}`);
    throw error;
  }
  request.principal = principal;
  await applyRateLimit(app, reply, `client:${principal.clientId}`);
  if (routeScope(spec) === 'write' && principal.scope !== 'write') {
    throw new AppError('insufficient_scope', 'This API token is read-only; create a read-write token for this action.');
  }
}

/** A User API handler's context: the client is the principal, and a login names its client in the request log. */
class UserApiHandlerContext extends HandlerContext<AppContext, Principal | undefined> {
  logClient(clientId: string): void {
    this.request.loggedClientId = clientId;
  }
}

export function registerUserApiRoutes(server: FastifyInstance, app: AppContext, specs: AnyRouteSpec[]): void {
  server.decorateRequest('principal', undefined);
  server.decorateRequest('operationId', undefined);
  server.decorateRequest('loggedClientId', undefined);
  for (const spec of specs) {
    const successStatus = spec.response.status;
    server.route({
      method: spec.method,
      url: `${API_PREFIX}${toRouterPath(spec.path)}`,
      schema: {
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.query ? { querystring: spec.query } : {}),
        ...(spec.body ? { body: spec.body } : {}),
        ...(spec.response.schema ? { response: { [successStatus]: spec.response.schema } } : {}),
      },
      onRequest: (request, reply) => guard(app, spec, request, reply),
      handler: async (request, reply) => {
        const ctx = new UserApiHandlerContext(app, request, reply, request.principal, successStatus);
        const key = request.headers['idempotency-key'];
        let outcome: { status: number; body: unknown };
        if (spec.idempotent && typeof key === 'string' && request.principal) {
          const idempotent = await withIdempotency(
            app,
            {
              clientId: request.principal.clientId,
              key,
              method: request.method,
              path: request.url.split('?')[0] ?? '',
              body: request.body,
            },
            () => ctx.invoke(spec),
          );
          if (idempotent.replayed) reply.header('idempotent-replayed', 'true');
          outcome = idempotent;
        } else {
          outcome = await ctx.invoke(spec);
        }
        reply.code(outcome.status);
        if (outcome.status === 204) return reply.send();
        if (spec.response.contentType) reply.type(spec.response.contentType);
        return outcome.body;
      },
    });
  }
}
