import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/platform/log.js';

/** A real Portico logger whose lines (JSON, one per entry) are kept for the test to read. */
export function captureLogs(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
  return { logger, lines };
}
