import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { type AnyRouteSpec, type RouteContext, toRouterPath } from '../platform/http/route.js';
import { authenticateAdmin, checkAllowedAddress } from './guard.js';
import type { AdminPrincipal } from './principal.js';

export const ADMIN_API_PREFIX = '/admin/api/v1';

/**
 * What an Admin API handler gets: the same context as a User API handler, with the admin as the
 * principal. A class, as in the User API: one is made per request.
 */
class AdminHandlerContext implements RouteContext<AppContext, AdminPrincipal | undefined> {
  readonly requestId: string;
  readonly ip: string;
  readonly headers: FastifyRequest['headers'];
  readonly principal: AdminPrincipal | undefined;
  status: number;

  constructor(
    readonly app: AppContext,
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    successStatus: number,
  ) {
    this.requestId = request.id;
    this.ip = request.ip;
    this.headers = request.headers;
    this.principal = request.admin;
    this.status = successStatus;
  }

  get protocol(): 'http' | 'https' {
    return this.request.protocol;
  }

  get hostname(): string {
    return this.request.hostname;
  }

  setHeader(name: string, value: string): void {
    this.reply.header(name, value);
  }

  setStatus(status: number): void {
    this.status = status;
  }

  /** Admin requests are not in the User API's request log. */
  logClient(): void {}
}

/**
 * Registers the declared Admin API routes below /admin/api/v1. The guard runs before the body is
 * read: the address allowlist for every route, admin credentials (Basic, or the admin area's
 * session with its CSRF token on changes) for all but logging in.
 */
export function registerAdminRoutes(server: FastifyInstance, app: AppContext, specs: readonly AnyRouteSpec[]): void {
  server.decorateRequest('admin', undefined);
  for (const spec of specs) {
    const successStatus = spec.response.status;
    server.route({
      method: spec.method,
      url: `${ADMIN_API_PREFIX}${toRouterPath(spec.path)}`,
      schema: {
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.query ? { querystring: spec.query } : {}),
        ...(spec.body ? { body: spec.body } : {}),
        ...(spec.response.schema ? { response: { [successStatus]: spec.response.schema } } : {}),
      },
      onRequest: async (request) => {
        if (spec.auth === 'none') checkAllowedAddress(app, request);
        else request.admin = await authenticateAdmin(app, request);
      },
      handler: async (request, reply) => {
        const ctx = new AdminHandlerContext(app, request, reply, successStatus);
        const { params, query, body } = request;
        const result = await spec.handler({ params, query, body }, ctx as RouteContext as RouteContext<never, never>);
        reply.code(ctx.status);
        if (ctx.status === 204) return reply.send();
        if (spec.response.contentType) reply.type(spec.response.contentType);
        return result;
      },
    });
  }
}
