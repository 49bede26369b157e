import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildServer } from '../../src/app.js';
import type { AppContext } from '../../src/app-context.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/platform/clock.js';
import { type Logger, silentLogger } from '../../src/platform/log.js';
import { openApp } from '../../src/runtime.js';
import { userApiRoutes } from '../../src/userapi/routes.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export interface TestApp {
  app: AppContext;
  server: FastifyInstance;
  db: TestDatabase;
  config: Config;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** A second instance on the same database (and Redis namespace), like another `portico serve`. */
  twin(): Promise<TestApp>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  logger?: Logger;
  clock?: Clock;
  db?: TestDatabase;
  /**
   * `shared` (default): one 2048-bit key per test process, set as userapi.jwt_key_path, because
   * generating the production default (3072-bit) for every test app would dominate the suite.
   * `generated`: leave the setting empty, as on a fresh install.
   */
  jwtKey?: 'shared' | 'generated';
}

let sharedKeyPath: string | undefined;
export function sharedJwtKeyPath(): string {
  if (!sharedKeyPath) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    sharedKeyPath = join(mkdtempSync(join(tmpdir(), 'portico-jwt-')), 'private.key');
    writeFileSync(sharedKeyPath, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  }
  return sharedKeyPath;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const ownsDb = !options.db;
  const config = loadConfig({
    PORTICO_DATA_DIR: db.dataDir,
    PORTICO_DEMO: 'off',
    PORTICO_WORKER: 'off',
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    ...(db.redisUrl ? { REDIS_URL: db.redisUrl } : {}),
    ...options.env,
  });
  const app = await openApp(config, {
    logger: options.logger ?? silentLogger(),
    redisNamespace: db.redisNamespace,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  if (options.jwtKey !== 'generated' && !options.db) await app.settings.set('userapi.jwt_key_path', sharedJwtKeyPath());
  const server = await buildServer(app, userApiRoutes);
  await server.ready();
  const twins: TestApp[] = [];
  return {
    app,
    server,
    db,
    config,
    inject: (opts) => server.inject(opts),
    twin: async () => {
      const twin = await createTestApp({ ...options, db });
      twins.push(twin);
      return twin;
    },
    close: async () => {
      for (const twin of twins) await twin.close();
      await server.close();
      await app.close();
      if (ownsDb) await db.drop();
    },
  };
}
