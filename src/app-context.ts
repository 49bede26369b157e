import { Redis } from 'ioredis';
import { Authenticator, type BearerVerifier } from './auth/authenticate.js';
import { PasswordVerifier } from './auth/basic.js';
import { LoginThrottle } from './auth/throttle.js';
import type { Config } from './config.js';
import { type Clock, systemClock } from './platform/clock.js';
import { ConfigWatcher } from './platform/config-watcher.js';
import { type Db, migrateToLatest, openDatabase } from './platform/db/index.js';
import type { AnyRouteSpec } from './platform/http/route.js';
import { createLogger, type Logger } from './platform/log.js';
import { memoryRateLimitStore, type RateLimitStore, redisRateLimitStore } from './platform/ratelimit/store.js';
import { SettingsStore } from './settings/store.js';
import { RouteTable } from './userapi/route-table.js';

/**
 * Everything a request handler, job or CLI command may need, built once per process and passed
 * explicitly (no globals, no process.env below this point).
 */
export interface AppContext {
  config: Config;
  db: Db;
  logger: Logger;
  clock: Clock;
  settings: SettingsStore;
  routes: RouteTable;
  watcher: ConfigWatcher;
  rateLimits: RateLimitStore;
  redis: Redis | undefined;
  passwords: PasswordVerifier;
  throttle: LoginThrottle;
  auth: Authenticator;
  close(): Promise<void>;
}

export interface ContextOptions {
  config: Config;
  routes: AnyRouteSpec[];
  logger?: Logger;
  clock?: Clock;
  /** Keeps Redis keys of parallel test runs apart; defaults to "portico". */
  redisNamespace?: string;
  migrate?: boolean;
  /** Bearer verifiers; wired by src/auth once JWT and API tokens exist. */
  bearer?: (ctx: AppContext) => { jwt: BearerVerifier; apiTokens: BearerVerifier };
}

export async function createAppContext(options: ContextOptions): Promise<AppContext> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const db = openDatabase({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
  if (options.migrate !== false) await migrateToLatest(db);
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 })
    : undefined;
  const rateLimits = redis ? redisRateLimitStore(redis, options.redisNamespace ?? 'portico') : memoryRateLimitStore();
  const settings = new SettingsStore(db.kysely);
  const routes = new RouteTable(options.routes);
  const watcher = new ConfigWatcher(db.kysely, logger);
  const passwords = new PasswordVerifier(db.kysely, clock);
  const throttle = new LoginThrottle(rateLimits);
  const ctx = {
    config,
    db,
    logger,
    clock,
    settings,
    routes,
    watcher,
    rateLimits,
    redis,
    passwords,
    throttle,
    close: async () => {
      await watcher.stop();
      redis?.disconnect();
      await db.close();
    },
  } as Omit<AppContext, 'auth'> as AppContext;
  const bearer = options.bearer?.(ctx) ?? { jwt: unavailableVerifier('jwt'), apiTokens: unavailableVerifier('token') };
  ctx.auth = new Authenticator({
    passwords,
    throttle,
    jwt: bearer.jwt,
    apiTokens: bearer.apiTokens,
    enabledMethods: () => settings.snapshot['userapi.auth_methods'],
  });
  watcher.onChange(() => settings.reload());
  watcher.onChange(() => routes.reload(db.kysely));
  return ctx;
}

function unavailableVerifier(method: string): BearerVerifier {
  return {
    verify: async () => {
      throw new Error(`${method} verification is not wired in this context`);
    },
  };
}
