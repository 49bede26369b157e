import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Keys whose values never reach a log line, wherever they appear in a logged object.
 * The same list drives request-log redaction (src/userapi/redact.ts) so one place says what a secret is.
 */
export const SECRET_KEYS = [
  'password',
  'current_password',
  'new_password',
  'secret',
  'secret_key',
  'token',
  'access_token',
  'refresh_token',
  'authorization',
  'api_key',
  'access_key',
  'hash',
  'private_key',
];

const redactPaths = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]).concat([
  'req.headers.authorization',
  'req.headers.cookie',
]);

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: redactPaths, censor: '[REDACTED]' },
      base: { app: 'portico' },
    },
    options.destination,
  );
}

/** A logger that writes nothing, for tests and benchmarks that do not read logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
