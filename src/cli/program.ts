import { Command } from 'commander';
import { registerBillingCommands } from '../billing/cli.js';
import { registerCatalogCommands } from '../catalog/cli.js';
import { registerClientCommands } from '../clients/cli.js';
import { loadConfig, porticoVersion } from '../config.js';
import { registerDemoCommands } from '../demo/cli.js';
import { registerInvoiceCommands } from '../invoices/cli.js';
import { registerJobCommands } from '../jobs/cli.js';
import { registerMailCommands } from '../mail/cli.js';
import { migrateToLatest } from '../platform/db/index.js';
import { registerLogCommands } from '../requestlog/cli.js';
import { registerSandboxCommands } from '../sandbox/cli.js';
import { registerServerCommands } from '../servers/cli.js';
import { registerServiceCommands } from '../services/cli.js';
import { registerSettingsCommands } from '../settings/cli.js';
import { registerAdminCommands } from '../staff/cli.js';
import { registerRouteCommands } from '../userapi/cli.js';
import { serve } from './serve.js';
import { withApp } from './with-app.js';

/** The `portico` command line: every operator task is a subcommand. */
export function buildProgram(): Command {
  const program = new Command('portico')
    .description('Portico — hosting billing for HestiaCP: User API, admin area and provisioning.')
    .version(porticoVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

/**
 * Every `portico` subcommand. Each feature declares its own in its folder's cli.ts; the order
 * here is the order `portico --help` lists them in.
 */
export function registerCommands(program: Command): void {
  program
    .command('serve')
    .description('Start the User API, docs and worker (SQLite + sandbox panel when nothing is configured)')
    .action(async () => {
      await serve(loadConfig());
    });
  program
    .command('migrate')
    .description('Apply database migrations (serve does this too)')
    .action(async () => {
      await withApp(async (app) => {
        const applied = await migrateToLatest(app.db, { secrets: app.secrets });
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
      });
    });
  registerAdminCommands(program);
  registerClientCommands(program);
  registerSettingsCommands(program);
  registerDemoCommands(program);
  registerServerCommands(program);
  registerSandboxCommands(program);
  registerJobCommands(program);
  registerInvoiceCommands(program);
  registerMailCommands(program);
  registerServiceCommands(program);
  registerRouteCommands(program);
  registerLogCommands(program);
  registerCatalogCommands(program);
  registerBillingCommands(program);
}
