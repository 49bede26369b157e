import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, onTestFinished } from 'vitest';
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
  /** Closes it (and its twins) now; safe to call again. Teardown calls it anyway. */
  close(): Promise<void>;
}

/**
 * Apps opened outside a test (in a `beforeAll`) are closed after the file's last test: vitest
 * runs an `afterAll` registered from inside a running hook nowhere, so this one is registered
 * while the test file is collected (this module is imported by it) and closes what is still open.
 */
const openedOutsideTests = new Set<TestApp>();
afterAll(async () => {
  for (const t of [...openedOutsideTests].reverse()) await t.close();
});

/** Inside a test: close when it finishes (passed or failed); elsewhere: after the file's tests. */
function registerTeardown(t: TestApp): void {
  try {
    onTestFinished(() => t.close());
  } catch {
    openedOutsideTests.add(t);
  }
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
  /**
   * `off` (default): `admin.require_totp_for` is "none", so the suite's admins (owners) act over
   * HTTP Basic without enrolling in two-factor login first. `default`: the production default
   * (owners must enrol), for the tests of two-factor login itself.
   */
  adminTotp?: 'off' | 'default';
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

/**
 * A real app on a throw-away database, closed by itself when the test (or, opened in a
 * `beforeAll`, the file) is done; twins close with the app they were made from.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const t = await openTestApp(options);
  registerTeardown(t);
  return t;
}

async function openTestApp(options: TestAppOptions): Promise<TestApp> {
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
  if (options.adminTotp !== 'default' && !options.db) await app.settings.set('admin.require_totp_for', 'none');
  const server = await buildServer(app, userApiRoutes);
  await server.ready();
  const twins: TestApp[] = [];
  let closing: Promise<void> | undefined;
  const t: TestApp = {
    app,
    server,
    db,
    config,
    inject: (opts) => server.inject(opts),
    twin: async () => {
      const twin = await openTestApp({ ...options, db });
      twins.push(twin);
      return twin;
    },
    close: () => {
      closing ??= (async () => {
        openedOutsideTests.delete(t);
        for (const twin of twins) await twin.close();
        await server.close();
        await app.close();
        if (ownsDb) await db.drop();
      })();
      return closing;
    },
  };
  return t;
}
