import type { AppContext } from '../app-context.js';
import { type Config, ConfigError, describeDatabase, loadConfig } from '../config.js';
import { AppError } from '../platform/http/errors.js';
import type { OpenAppOptions } from '../runtime.js';

/**
 * Options of `withApp`. The User API's route declarations (every feature's routes and schemas)
 * are loaded only by the commands that read or change routes (`portico routes …`).
 */
export interface WithAppOptions {
  routes?: boolean;
}

/**
 * Runs a command against the configured database, closing everything afterwards. A record that is
 * not found is reported with the database that was searched: the usual cause is a shell whose
 * PORTICO_DATA_DIR or DATABASE_URL differs from the server's.
 */
export async function withApp<T>(run: (app: AppContext) => Promise<T>, options: WithAppOptions = {}): Promise<T> {
  const config = loadConfig();
  // Loaded here, not at the top: `portico --help` and a command's own checks need none of it.
  const [{ openApp }, { silentLogger }] = await Promise.all([import('../runtime.js'), import('../platform/log.js')]);
  const openOptions: OpenAppOptions = { logger: silentLogger(), ...(options.routes ? {} : { routes: [] }) };
  const app = await openApp(config, openOptions).catch((error: unknown) => {
    throw cannotOpen(config, error);
  });
  try {
    return await run(app);
  } catch (error) {
    if (error instanceof AppError && error.status === 404) {
      throw new AppError(
        error.code,
        `${error.detail} Searched ${describeDatabase(config)}: if the server uses another database, run this command with the server's PORTICO_DATA_DIR or DATABASE_URL.`,
        error.options,
      );
    }
    throw error;
  } finally {
    await app.close();
  }
}

/** Codes of a database that is not there or not ours to open (PostgreSQL SQLSTATEs, system errors). */
const OPEN_FAILURES = /^(3D000|28000|28P01|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EACCES|EPERM|SQLITE_CANTOPEN)$/;

function cannotOpen(config: Config, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !OPEN_FAILURES.test(code)) return error;
  return new ConfigError(
    `Cannot open ${describeDatabase(config)}: ${(error as Error).message}. Check DATABASE_URL (or PORTICO_DATA_DIR) and that the database is running.`,
  );
}
