import { ApiTokens } from './auth/api-tokens.js';
import { Authenticator } from './auth/authenticate.js';
import { PasswordVerifier } from './auth/basic.js';
import { JwtAuth } from './auth/jwt.js';
import { JwtKeyRing } from './auth/jwt-keys.js';
import { findAdminCredentials, findClientCredentials } from './auth/store.js';
import { LoginThrottle } from './auth/throttle.js';
import type { Config } from './config.js';
import { registerJobMetrics } from './jobs/metrics.js';
import { type Clock, systemClock } from './platform/clock.js';
import { ConfigWatcher } from './platform/config-watcher.js';
import { loadSecretBox, type SecretBox } from './platform/crypto/secretbox.js';
import { type Db, migrateToLatest, openDatabase } from './platform/db/index.js';
import type { AnyRouteSpec } from './platform/http/route.js';
import { createLogger, type Logger } from './platform/log.js';
import { Metrics } from './platform/metrics.js';
import { memoryRateLimitStore, type RateLimitStore, redisRateLimitStore } from './platform/ratelimit/store.js';
import { RedisConnection } from './platform/redis.js';
import { RequestLogWriter } from './requestlog/writer.js';
import { readConfigVersion, SettingsStore } from './settings/store.js';
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
  /** Set when REDIS_URL is: then Redis is a required store (rate limits, login throttling). */
  redis: RedisConnection | undefined;
  passwords: PasswordVerifier;
  /** The same verification for admins (Admin API), against the admins table. */
  adminPasswords: PasswordVerifier;
  throttle: LoginThrottle;
  jwtKeys: JwtKeyRing;
  jwt: JwtAuth;
  apiTokens: ApiTokens;
  auth: Authenticator;
  metrics: Metrics;
  requestLog: RequestLogWriter;
  /** The master-key box for secrets at rest; loaded (or generated) on first use. */
  secrets(): SecretBox;
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
}

export async function createAppContext(options: ContextOptions): Promise<AppContext> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const db = openDatabase({
    databaseUrl: config.databaseUrl,
    sqlitePath: config.sqlitePath,
    onIdleError: (error) =>
      logger.warn({ err: error }, 'an idle database connection was closed by the server; it will be replaced'),
    cacheMaxStaleMs: config.cacheMaxStaleMs,
    onListenError: (error) =>
      logger.warn(
        { err: error },
        'the connection listening for other instances’ writes broke; hot reads go to the database until it reconnects',
      ),
  });
  // The master key is read here only if a migration has secrets to seal.
  if (options.migrate !== false) await migrateToLatest(db, { secrets: () => loadSecretBox(config, logger) });
  const redis = config.redisUrl ? new RedisConnection(config.redisUrl, logger) : undefined;
  const rateLimits = redis
    ? redisRateLimitStore(redis, options.redisNamespace ?? config.redisPrefix)
    : memoryRateLimitStore();
  let box: SecretBox | undefined;
  const secrets = () => {
    box ??= loadSecretBox(config, logger);
    return box;
  };
  const settings = new SettingsStore(db.kysely, { seal: (plaintext) => secrets().seal(plaintext) });
  const routes = new RouteTable(options.routes);
  const watcher = new ConfigWatcher({ readVersion: () => readConfigVersion(db.kysely), logger });
  const passwords = new PasswordVerifier((email) => findClientCredentials(db.kysely, email), clock);
  const adminPasswords = new PasswordVerifier((email) => findAdminCredentials(db.kysely, email), clock);
  const throttle = new LoginThrottle(rateLimits);
  const jwtKeys = new JwtKeyRing({ db: db.kysely, config, settings, clock, logger });
  const jwt = new JwtAuth({ db: db.kysely, keys: jwtKeys, clock, settings });
  const apiTokens = new ApiTokens({ db: db.kysely, clock });
  const auth = new Authenticator({
    passwords,
    throttle,
    jwt,
    apiTokens,
    enabledMethods: () => settings.snapshot['userapi.auth_methods'],
  });
  const metrics = new Metrics();
  registerJobMetrics(metrics, db.kysely, clock);
  const requestLog = new RequestLogWriter({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath }, logger);
  const close = async () => {
    await watcher.stop();
    await requestLog.close();
    redis?.disconnect();
    await db.close();
  };
  watcher.onChange(() => settings.reload());
  watcher.onChange(() => routes.reload(db.kysely));
  watcher.onChange(() => jwtKeys.reload());
  return {
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
    adminPasswords,
    throttle,
    jwtKeys,
    jwt,
    apiTokens,
    auth,
    secrets,
    metrics,
    requestLog,
    close,
  };
}
