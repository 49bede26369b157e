import type { Kysely } from 'kysely';
import { readConfigVersion } from '../settings/store.js';
import type { Database } from './db/schema.js';
import type { Logger } from './log.js';

/**
 * Keeps every instance's in-memory configuration (settings, route overrides, aliases, JWT keys)
 * in step with the database. Writers bump `config_version` in the same transaction as their
 * change; this polls that one row and runs the reloaders when it moves. Polling every 250 ms keeps
 * the promise "within one second on every instance" with or without Redis.
 */
export class ConfigWatcher {
  private version = -1;
  private timer: NodeJS.Timeout | undefined;
  private readonly reloaders: (() => Promise<void>)[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly logger: Logger,
    private readonly intervalMs = 250,
  ) {}

  onChange(reload: () => Promise<void>): void {
    this.reloaders.push(reload);
  }

  /** Loads everything once; call before serving. */
  async start(): Promise<void> {
    await this.check(true);
    this.timer = setInterval(() => {
      this.running ??= this.check(false).finally(() => {
        this.running = undefined;
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Reloads now if the version moved (or always with force); used after a local write. */
  async check(force = false): Promise<void> {
    try {
      const version = await readConfigVersion(this.db);
      if (!force && version === this.version) return;
      for (const reload of this.reloaders) await reload();
      this.version = version;
    } catch (error) {
      if (force) throw error;
      this.logger.warn({ err: error }, 'configuration reload failed; keeping the previous configuration');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
