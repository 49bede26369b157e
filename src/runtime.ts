import { type AppContext, createAppContext } from './app-context.js';
import type { Config } from './config.js';
import type { Clock } from './platform/clock.js';
import type { AnyRouteSpec } from './platform/http/route.js';
import type { Logger } from './platform/log.js';

export interface OpenAppOptions {
  logger?: Logger;
  clock?: Clock;
  redisNamespace?: string;
  /**
   * The User API's routes the route table knows (default: all of them, src/userapi/routes.ts). A
   * command that serves no request and manages no route passes `[]` and loads none of them.
   */
  routes?: AnyRouteSpec[];
}

/**
 * Builds the process-wide context the way every entry point (serve, worker, CLI commands, tests)
 * needs it: database migrated, configuration loaded, every feature wired.
 */
export async function openApp(config: Config, options: OpenAppOptions = {}): Promise<AppContext> {
  const routes = options.routes ?? (await import('./userapi/routes.js')).userApiRoutes;
  const app = await createAppContext({ config, ...options, routes });
  await app.watcher.check(true);
  return app;
}
