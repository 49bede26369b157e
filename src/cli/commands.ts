import type { Command } from 'commander';
import type { AppContext } from '../app-context.js';
import { createClient } from '../clients/clients.js';
import { type Config, ConfigError, describeDatabase, loadConfig } from '../config.js';
import { DEMO_CLIENT, isEmptyInstall, seedDemo } from '../demo/seed.js';
import { migrateToLatest } from '../platform/db/index.js';
import { AppError } from '../platform/http/errors.js';
import { silentLogger } from '../platform/log.js';
import { openApp } from '../runtime.js';
import { createAdmin } from '../staff/staff.js';
import { promptSecret, readStdinLine } from './input.js';
import { CliUsageError } from './servers.js';

/**
 * Runs a command against the configured database, closing everything afterwards. A record that is
 * not found is reported with the database that was searched: the usual cause is a shell whose
 * PORTICO_DATA_DIR or DATABASE_URL differs from the server's.
 */
export async function withApp<T>(run: (app: AppContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const app = await openApp(config, { logger: silentLogger() }).catch((error: unknown) => {
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

/** --password, else standard input: typed at a terminal (asked twice, not echoed) or piped in. */
async function passwordFrom(opts: { password?: string; passwordStdin?: boolean }): Promise<string> {
  if (opts.password !== undefined) return opts.password;
  if (!process.stdin.isTTY) return readStdinLine();
  const password = await promptSecret('Password: ');
  if ((await promptSecret('Password again: ')) !== password)
    throw new CliUsageError('The two passwords differ; run the command again.');
  return password;
}

export function registerCoreCommands(program: Command): void {
  program
    .command('migrate')
    .description('Apply database migrations (serve does this too)')
    .action(async () => {
      await withApp(async (app) => {
        const applied = await migrateToLatest(app.db, { secrets: app.secrets });
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
      });
    });

  const admin = program.command('admin').description('Manage admins of the admin area');
  admin
    .command('create')
    .description('Create an admin (password from --password or standard input)')
    .requiredOption('--email <email>', 'login email')
    .option('--name <name>', 'display name', '')
    .option('--password <password>', 'password (prefer --password-stdin: arguments show in `ps`)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: { email: string; name: string; password?: string }) => {
      const password = await passwordFrom(opts);
      await withApp(async (app) => {
        const created = await createAdmin({ db: app.db.kysely, clock: app.clock }, { ...opts, password });
        console.log(`Admin ${created.email} created (${created.id}).`);
      });
    });

  const client = program.command('client').description('Manage clients');
  client
    .command('create')
    .description('Create a client (password from --password or standard input)')
    .requiredOption('--email <email>', 'login email')
    .requiredOption('--name <name>', 'full name')
    .option('--company <company>', 'company name')
    .option('--currency <code>', 'billing currency (ISO 4217)', 'USD')
    .option('--password <password>', 'password (prefer --password-stdin: arguments show in `ps`)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: { email: string; name: string; company?: string; currency: string; password?: string }) => {
      const password = await passwordFrom(opts);
      await withApp(async (app) => {
        const row = await createClient(
          { db: app.db.kysely, clock: app.clock },
          {
            email: opts.email,
            name: opts.name,
            company: opts.company ?? null,
            currency: opts.currency.toUpperCase(),
            password,
          },
        );
        console.log(`Client ${row.email} created (${row.id}).`);
      });
    });

  const settings = program.command('settings').description('Read and change run-time settings (no restart needed)');
  settings
    .command('get [key]')
    .description('Show all settings, or one')
    .action(async (key: string | undefined) => {
      await withApp(async (app) => {
        const rows = app.settings.list().filter((r) => key === undefined || r.key === key);
        if (key !== undefined && rows.length === 0) {
          throw new Error(`Unknown setting "${key}". Run \`portico settings get\` to list them.`);
        }
        for (const r of rows) {
          console.log(
            key
              ? r.value
              : `${r.key} = ${JSON.stringify(r.value)}${r.isDefault ? '  (default)' : ''}\n    ${r.description}`,
          );
        }
      });
    });
  settings
    .command('set <key> <value>')
    .description('Change a setting; running instances pick it up within a second')
    .action(async (key: string, value: string) => {
      await withApp(async (app) => {
        await app.settings.set(key, value, app.clock.nowMs());
        console.log(`${key} = ${JSON.stringify(value)}`);
      });
    });

  program
    .command('demo')
    .description('Seed demo data (a demo client, a small catalog, services and invoices) into an empty install')
    .option('--force', 'seed even if clients already exist')
    .action(async (opts: { force?: boolean }) => {
      await withApp(async (app) => {
        if (!opts.force && !(await isEmptyInstall(app))) {
          throw new Error('This install already has clients; run `portico demo --force` to add demo data anyway.');
        }
        await seedDemo(app);
        console.log(`Demo data created. Log in as ${DEMO_CLIENT.email} / ${DEMO_CLIENT.password}.`);
      });
    });
}
