import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { API_PREFIX } from '../userapi/route-table.js';
import type { RequestLogWriter } from './writer.js';

/**
 * Feeds the request log from the User API's request lifecycle, only while `userapi.logging` is
 * on (checked in memory per request: nothing is done when it is off). One `onSend` hook sees the
 * final status and body (nothing changes an API response after it); it lets the response go
 * first and captures the entry after, so logging adds nothing to the response's latency.
 * Redaction and storage happen on the request log's thread (writer.ts). The route id is the
 * canonical operationId; the path is the one actually called (an alias stays visible); a login
 * names the client it was for (`loggedClientId`, set through the route context).
 */
export function registerRequestLogHooks(server: FastifyInstance, app: AppContext, writer: RequestLogWriter): void {
  server.addHook('onSend', (request, reply, payload, done) => {
    done(null, payload);
    if (!app.settings.snapshot['userapi.logging']) return;
    const called = request.originalUrl ?? request.url;
    if (!called.startsWith(API_PREFIX)) return;
    const query = called.indexOf('?');
    writer.push({
      at_ms: app.clock.nowMs(),
      method: request.method,
      operation_id: request.operationId ?? null,
      path: query === -1 ? called : called.slice(0, query),
      query: query === -1 ? '' : called.slice(query + 1),
      status: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime),
      ip: request.ip,
      client_id: request.principal?.clientId ?? request.loggedClientId ?? null,
      request_id: request.id,
      request_body: request.body,
      response_body:
        typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined,
      request_headers: request.headers,
    });
  });
}
