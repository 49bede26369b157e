import type { Logger } from './log.js';

export interface ConfigWatcherOptions {
  /** Reads the shared configuration version (a counter every writer bumps). */
  readVersion: () => Promise<number>;
  logger: Logger;
  intervalMs?: number;
}

/**
 * Keeps every instance's in-memory configuration (settings, route overrides, aliases, JWT keys)
 * in step with the database. Writers bump `config_version` in the same transaction as their
 * change; this polls that one row and runs the reloaders when it moves. Polling every 250 ms keeps
 * the promise "within one second on every instance" with or without Redis. Where the version is
 * stored, and what reloads when it moves, belongs to the modules that own them: they hand in
 * `readVersion` and register their reloads with `onChange`.
 */
export class ConfigWatcher {
  private version = -1;
  private timer: NodeJS.Timeout | undefined;
  private readonly reloaders: (() => Promise<void>)[] = [];
  private running: Promise<void> | undefined;

  private readonly readVersion: () => Promise<number>;
  private readonly logger: Logger;
  private readonly intervalMs: number;

  constructor(options: ConfigWatcherOptions) {
    this.readVersion = options.readVersion;
    this.logger = options.logger;
    this.intervalMs = options.intervalMs ?? 250;
  }

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
      const version = await this.readVersion();
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
