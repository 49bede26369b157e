import { type AppContext, createAppContext } from './app-context.js';
import type { Config } from './config.js';
import type { Clock } from './platform/clock.js';
import type { Logger } from './platform/log.js';
import { userApiRoutes } from './userapi/routes.js';

export interface OpenAppOptions {
  logger?: Logger;
  clock?: Clock;
  redisNamespace?: string;
}

/**
 * Builds the process-wide context the way every entry point (serve, worker, CLI commands, tests)
 * needs it: database migrated, configuration loaded, every feature wired.
 */
export async function openApp(config: Config, options: OpenAppOptions = {}): Promise<AppContext> {
  const app = await createAppContext({ config, routes: userApiRoutes, ...options });
  await app.watcher.check(true);
  return app;
}
