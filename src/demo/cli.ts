import type { Command } from 'commander';
import { withApp } from '../cli/with-app.js';

/** `portico demo`: demo data for trying Portico, into an empty install unless forced. */
export function registerDemoCommands(program: Command): void {
  program
    .command('demo')
    .description('Seed demo data (a demo client, a small catalog, services and invoices) into an empty install')
    .option('--force', 'seed even if clients already exist')
    .action(async (opts: { force?: boolean }) => {
      const { DEMO_CLIENT, isEmptyInstall, seedDemo } = await import('./seed.js');
      await withApp(async (app) => {
        if (!opts.force && !(await isEmptyInstall(app))) {
          throw new Error('This install already has clients; run `portico demo --force` to add demo data anyway.');
        }
        await seedDemo(app);
        console.log(`Demo data created. Log in as ${DEMO_CLIENT.email} / ${DEMO_CLIENT.password}.`);
      });
    });
}
