import { Command } from 'commander';
import { registerBillingCommands } from '../billing/cli.js';
import { registerCatalogCommands } from '../catalog/cli.js';
import { registerClientCommands } from '../clients/cli.js';
import { loadConfig, porticoVersion } from '../config.js';
import { registerDemoCommands } from '../demo/cli.js';
import { registerInvoiceCommands } from '../invoices/cli.js';
import { registerJobCommands } from '../jobs/cli.js';
import { registerMailCommands } from '../mail/cli.js';
import { registerPaymentCommands } from '../payments/cli.js';
import { registerLogCommands } from '../requestlog/cli.js';
import { registerSandboxCommands } from '../sandbox/cli.js';
import { registerServerCommands } from '../servers/cli.js';
import { registerServiceCommands } from '../services/cli.js';
import { registerSettingsCommands } from '../settings/cli.js';
import { registerAdminCommands } from '../staff/cli.js';
import { registerRouteCommands } from '../userapi/cli.js';
import { registerWebhookCommands } from '../webhooks/cli.js';
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
 *
 * Declaring a command loads nothing but commander and the cli.ts files: each action imports the
 * feature modules it runs when it runs (`await import(…)`), so `portico --help` and a command
 * that reads one table do not load Fastify, the route schemas, pdfkit or the HestiaCP client.
 * test/cli/lazy-loading.test.ts keeps it so.
 */
export function registerCommands(program: Command): void {
  program
    .command('serve')
    .description('Start the User API, docs and worker (SQLite + sandbox panel when nothing is configured)')
    .action(async () => {
      const { serve } = await import('./serve.js');
      await serve(loadConfig());
    });
  program
    .command('migrate')
    .description('Apply database migrations (serve does this too)')
    .action(async () => {
      const { migrateToLatest } = await import('../platform/db/index.js');
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
  registerPaymentCommands(program);
  registerMailCommands(program);
  registerWebhookCommands(program);
  registerServiceCommands(program);
  registerRouteCommands(program);
  registerLogCommands(program);
  registerCatalogCommands(program);
  registerBillingCommands(program);
}
