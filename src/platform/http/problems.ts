import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, toProblem } from './errors.js';
import { toFieldErrors } from './validation.js';

/**
 * Every error leaves as application/problem+json from the closed registry. Framework errors
 * (bad JSON, body too large, wrong content type, validation) are mapped to their codes; anything
 * unexpected is logged with its stack and answered with a generic 500 that carries the request id.
 */
export function toAppError(error: FastifyError | Error): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const errors = toFieldErrors(fastifyError.validation as never, fastifyError.validationContext);
    const summary = errors.map((e) => `${e.field} ${e.message}`).join('; ');
    return new AppError('validation_failed', `The request is not valid: ${summary}.`, { errors });
  }
  switch (fastifyError.code) {
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('bad_url', 'A path segment is longer than the API accepts (100 characters).');
    case 'FST_ERR_BAD_URL':
      return new AppError('bad_url', 'The URL is not valid percent-encoding.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('malformed_json', `The body is not valid JSON: ${error.message}.`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The request body is larger than the API accepts (64 KiB).');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('unsupported_media_type', 'Send the body as application/json.');
    default:
      break;
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return new AppError('malformed_json', `The body is not valid JSON: ${error.message}.`);
  }
  if (fastifyError.statusCode === 413) return new AppError('payload_too_large', 'The request body is too large.');
  if (fastifyError.statusCode === 415)
    return new AppError('unsupported_media_type', 'Send the body as application/json.');
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new AppError('invalid_request', error.message);
  }
  return new AppError('internal_error', 'An unexpected error occurred. Quote the request id when reporting it.', {
    cause: error,
  });
}

/**
 * An error answered before the body was read (no or wrong credentials, rate limited, disabled
 * route) closes the connection instead of reading the rest of the body to keep it alive: a caller
 * who may not send a body does not get to hold a connection open by trickling one.
 */
function bodyStillComing(request: FastifyRequest): boolean {
  const { headers } = request.raw;
  const hasBody = headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
  return hasBody && request.raw.complete === false;
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  for (const [name, value] of Object.entries(error.options.headers ?? {})) reply.header(name, value);
  if (bodyStillComing(request)) reply.header('connection', 'close');
  // Errors raised while routing (frameworkErrors) come before the onRequest hook that sets it.
  reply.header('x-request-id', request.id);
  return reply
    .code(error.status)
    .type('application/problem+json')
    .send(toProblem(error, { requestId: request.id, instance: request.url.split('?')[0] ?? request.url }));
}

export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error as FastifyError);
    if (appError.status >= 500) {
      request.log.error({ err: appError.options.cause ?? error, reqId: request.id }, 'request failed');
    }
    return sendProblem(request, reply, appError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new AppError(
        'route_not_found',
        `No route ${request.method} ${request.url.split('?')[0]}. See /api/docs for the routes.`,
      ),
    ),
  );
}
