import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Logger } from './log.js';

/**
 * Portico's Redis connection, with what it needs to fail fast: ioredis reconnects on its own
 * (every 0.1–2 s, for ever), but left alone it queues commands through an outage and retries them,
 * so a request waited up to 9 s for a 500, and it reported every failed reconnect as an unhandled
 * 'error' event on stderr. Here an outage is known as soon as the connection drops: callers ask
 * `available()` and answer 503 at once instead of sending a command, every command is bounded by
 * `commandTimeoutMs` (a Redis that stalls rather than closes), and the outage is logged once when
 * it starts and once when it ends.
 */
export class RedisConnection {
  readonly client: Redis;
  /** Never connected yet (commands wait in the offline queue, bounded by the command timeout). */
  private state: 'starting' | 'up' | 'down' = 'starting';

  constructor(
    url: string,
    private readonly logger: Logger,
    options: { commandTimeoutMs?: number } = {},
  ) {
    // Required here, not imported: a process without REDIS_URL (most CLI commands) never loads it.
    const { Redis } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
    this.client = new Redis(url, {
      lazyConnect: false,
      connectTimeout: 2000,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    });
    this.client.on('ready', () => {
      if (this.state === 'down') this.logger.info('Redis is reachable again; rate limits are back');
      this.state = 'up';
    });
    // Without an 'error' listener ioredis prints every failed reconnect to stderr.
    this.client.on('error', (error: Error) => this.markDown(error));
    this.client.on('close', () => this.markDown(undefined));
  }

  private markDown(error: Error | undefined): void {
    if (this.state === 'down') return;
    // Closing before the first connection without an error is the connection being set up again.
    if (this.state === 'starting' && !error) return;
    this.state = 'down';
    this.logger.warn(
      { err: error, redis: this.client.options.host },
      'Redis is unreachable: requests that need it answer 503 until it is back (reconnecting)',
    );
  }

  /** False while the connection is known to be down: skip the command and answer 503. */
  available(): boolean {
    return this.state !== 'down';
  }

  /** A round trip, for /readyz: false when down or when Redis does not answer in time. */
  async ping(): Promise<boolean> {
    if (!this.available()) return false;
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  disconnect(): void {
    this.client.disconnect();
  }
}
