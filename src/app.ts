import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { registerAdminApi } from './admin/plugin.js';
import type { AppContext } from './app-context.js';
import { workerHeartbeatCheck } from './jobs/health.js';
import { registerStripeWebhook } from './payments/webhook.js';
import { clientErrorHandler } from './platform/http/client-errors.js';
import { AppError } from './platform/http/errors.js';
import { databaseCheck, redisCheck, registerHealthRoutes } from './platform/http/health.js';
import { installProblemHandlers, sendProblem, toAppError } from './platform/http/problems.js';
import type { AnyRouteSpec } from './platform/http/route.js';
import { trustProxyFunction } from './platform/http/trust-proxy.js';
import { validatorCompiler } from './platform/http/validation.js';
import { newId } from './platform/ids.js';
import { registerMetricsRoute } from './platform/metrics.js';
import { registerRequestLogHooks } from './requestlog/hooks.js';
import { registerUserApiDocs } from './userapi/docs.js';
import { registerUserApiRoutes } from './userapi/register.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The HTTP server: framework plumbing first (request ids, errors, validation), then the routes of
 * each surface in a fixed order — health, User API, its documentation.
 */
export async function buildServer(app: AppContext, specs: AnyRouteSpec[]): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: app.logger as FastifyBaseLogger,
    // Per-request info logs cost ~40 % of throughput (measured with autocannon on 2 cores); errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // A per-request child logger (with redaction) is a real cost on the hot path; errors carry the
    // request id explicitly instead (src/platform/http/problems.ts).
    childLoggerFactory: (logger) => logger,
    bodyLimit: BODY_LIMIT_BYTES,
    // A request must arrive whole within the request timeout (headers within their own), or it is
    // answered 408 and closed: a body trickled in a byte a second no longer holds a connection for
    // minutes. Node checks the deadlines every connectionsCheckingInterval (30 s by default).
    requestTimeout: app.config.requestTimeoutMs,
    http: {
      headersTimeout: app.config.headersTimeoutMs,
      requestTimeout: app.config.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(app.config.headersTimeoutMs / 4))),
    },
    // Errors of the HTTP parser itself (bad request line, headers too large, 408) are problem+json too.
    clientErrorHandler: clientErrorHandler(app.logger),
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : newId('request');
    },
    trustProxy: trustProxyFunction(() => app.settings.snapshot.trust_proxy),
    rewriteUrl: (req) => app.routes.rewrite(req.method ?? 'GET', req.url ?? '/'),
    // While closing, new requests get 503 — as problem+json, from the onRequest hook below.
    return503OnClosing: false,
    // Errors raised while routing (before any handler) get the same problem+json as the rest.
    frameworkErrors: (error, request, reply) => sendProblem(request, reply, toAppError(error)),
  });
  server.server.maxConnections = app.config.maxConnections;
  server.setValidatorCompiler(validatorCompiler);
  // The APIs speak JSON only: a text/plain body is refused with 415 rather than parsed as a string.
  server.removeContentTypeParser('text/plain');
  installProblemHandlers(server);
  let closing = false;
  server.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  server.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (closing) {
      reply.header('connection', 'close');
      done(
        new AppError('unavailable', 'Portico is shutting down. Retry the request: another instance will answer it.', {
          headers: { 'retry-after': '1' },
        }),
      );
      return;
    }
    done();
  });

  registerRequestLogHooks(server, app, app.requestLog);
  registerHealthRoutes(server, [
    databaseCheck(app.db, app.logger),
    ...(app.redis ? [redisCheck(app.redis)] : []),
    workerHeartbeatCheck(app),
  ]);
  registerMetricsRoute(server, app.metrics, app.config.metricsToken);
  server.get('/.well-known/jwks.json', async (_request, reply) => {
    await app.jwtKeys.current();
    reply.header('cache-control', 'public, max-age=300');
    return app.jwtKeys.jwks();
  });
  registerUserApiRoutes(server, app, specs);
  await registerUserApiDocs(server, app);
  await registerAdminApi(server, app);
  await registerStripeWebhook(server, app);
  return server;
}
