import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AnyRouteSpec, RouteContext } from './route.js';

/**
 * What a declared route's handler gets, made once per request by each surface's registration (the
 * User API's and the Admin API's), which says who the caller is and what logging a client means.
 * A class rather than an object of closures: methods on a prototype cost nothing per request.
 */
export abstract class HandlerContext<Deps, Caller> implements RouteContext<Deps, Caller> {
  readonly requestId: string;
  readonly ip: string;
  readonly headers: FastifyRequest['headers'];
  status: number;

  constructor(
    readonly app: Deps,
    protected readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    readonly principal: Caller,
    successStatus: number,
  ) {
    this.requestId = request.id;
    this.ip = request.ip;
    this.headers = request.headers;
    this.status = successStatus;
  }

  // Getters: few routes read them, and Fastify works them out from the proxy headers on each read.
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

  abstract logClient(clientId: string): void;

  /** Runs the route's handler; resolves to the status it chose and the body it returned. */
  async invoke(spec: AnyRouteSpec): Promise<{ status: number; body: unknown }> {
    const { params, query, body } = this.request;
    const result = await spec.handler({ params, query, body }, this as RouteContext as RouteContext<never, never>);
    return { status: this.status, body: result };
  }
}
