import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { newId } from '../ids.js';
import type { Logger } from '../log.js';
import { AppError, toProblem } from './errors.js';

/**
 * Errors Node's HTTP parser raises before there is a request for Fastify to route — a bad request
 * line or header, headers over 16 KiB, a request that did not arrive within the request timeout —
 * answered like every other error: problem+json with a request id, then the connection is closed
 * (after a framing error nothing more on it can be trusted).
 */
function toClientAppError(error: NodeJS.ErrnoException): AppError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new AppError(
        'request_timeout',
        'The request did not arrive in time. Send the headers and the whole body without pausing.',
      );
    case 'HPE_HEADER_OVERFLOW':
      return new AppError(
        'headers_too_large',
        'The request line and headers are larger than 16 KiB. Send shorter headers (cookies, tokens) or a shorter URL.',
      );
    default:
      return new AppError(
        'malformed_request',
        `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'}). Check the request line and headers.`,
      );
  }
}

/** The path of the request line, when the parser kept the bytes it choked on. */
function requestTarget(error: { rawPacket?: unknown }): string {
  if (!Buffer.isBuffer(error.rawPacket)) return '/';
  const line = error.rawPacket.subarray(0, 2048).toString('latin1').split('\r\n')[0] ?? '';
  const target = line.split(' ')[1];
  return target?.startsWith('/') ? (target.split('?')[0] ?? '/') : '/';
}

export function clientErrorHandler(logger: Logger) {
  return (error: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Socket): void => {
    // A reset connection has nobody to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const appError = toClientAppError(error);
    const requestId = newId('request');
    logger.debug({ err: error, reqId: requestId }, 'client error');
    // A response already under way on this connection cannot be followed by another one.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(toProblem(appError, { requestId, instance: requestTarget(error) }));
    socket.end(
      `HTTP/1.1 ${appError.status} ${STATUS_CODES[appError.status]}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
      () => socket.destroy(),
    );
  };
}
