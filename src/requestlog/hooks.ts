import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { newId } from '../platform/ids.js';
import { API_PREFIX } from '../userapi/route-table.js';
import { redactBody, redactHeaders, redactQuery } from './redact.js';
import type { RequestLogWriter } from './writer.js';

declare module 'fastify' {
  interface FastifyRequest {
    loggedResponse: string | undefined;
  }
}

/**
 * Feeds the request log from the User API's request lifecycle, only while `userapi.logging` is
 * on (checked in memory per request: nothing is done when it is off). The route id is the
 * canonical operationId; the path is the one actually called (an alias stays visible).
 */
export function registerRequestLogHooks(server: FastifyInstance, app: AppContext, writer: RequestLogWriter): void {
  server.decorateRequest('loggedResponse', undefined);
  server.addHook('onSend', async (request, _reply, payload) => {
    if (app.settings.snapshot['userapi.logging'] && (request.originalUrl ?? request.url).startsWith(API_PREFIX)) {
      request.loggedResponse =
        typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    }
    return payload;
  });
  server.addHook('onResponse', async (request, reply) => {
    const called = request.originalUrl ?? request.url;
    if (!app.settings.snapshot['userapi.logging'] || !called.startsWith(API_PREFIX)) return;
    const [path = called, query = ''] = called.split('?');
    const now = app.clock.nowMs();
    writer.push({
      id: newId('log', now),
      at_ms: now,
      method: request.method,
      operation_id: request.routeOptions.config?.operationId ?? null,
      path,
      status: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime),
      ip: request.ip,
      client_id: request.principal?.clientId ?? null,
      request_id: request.id,
      request_body: request.body === undefined ? null : redactBody(JSON.stringify(request.body)),
      response_body: redactBody(request.loggedResponse),
      query: redactQuery(query),
      request_headers: redactHeaders(request.headers),
    });
  });
}
