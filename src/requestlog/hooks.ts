import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { API_PREFIX } from '../userapi/route-table.js';
import { pickHeaders } from './entry.js';
import type { RequestLogWriter } from './writer.js';

declare module 'fastify' {
  interface FastifyRequest {
    loggedResponse: string | undefined;
  }
}

/**
 * Feeds the request log from the User API's request lifecycle, only while `userapi.logging` is
 * on (checked in memory per request: nothing is done when it is off). The hooks only capture;
 * redaction and storage happen on the request log's thread (writer.ts). The route id is the
 * canonical operationId; the path is the one actually called (an alias stays visible).
 */
export function registerRequestLogHooks(server: FastifyInstance, app: AppContext, writer: RequestLogWriter): void {
  server.decorateRequest('loggedResponse', undefined);
  server.addHook('onSend', (request, _reply, payload, done) => {
    if (app.settings.snapshot['userapi.logging'] && (request.originalUrl ?? request.url).startsWith(API_PREFIX)) {
      request.loggedResponse =
        typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    }
    done(null, payload);
  });
  server.addHook('onResponse', (request, reply, done) => {
    const called = request.originalUrl ?? request.url;
    if (app.settings.snapshot['userapi.logging'] && called.startsWith(API_PREFIX)) {
      const query = called.indexOf('?');
      const now = app.clock.nowMs();
      writer.push({
        at_ms: now,
        method: request.method,
        operation_id: request.operationId ?? null,
        path: query === -1 ? called : called.slice(0, query),
        query: query === -1 ? '' : called.slice(query + 1),
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime),
        ip: request.ip,
        client_id: request.principal?.clientId ?? null,
        request_id: request.id,
        request_body: request.body,
        response_body: request.loggedResponse,
        request_headers: pickHeaders(request.headers),
      });
    }
    done();
  });
}
