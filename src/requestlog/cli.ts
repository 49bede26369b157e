import type { Command } from 'commander';
import { CliUsageError } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';
import type { LogClient, LogSummary } from './search.js';

/** The log's search, loaded when a command runs (src/cli/program.ts). */
const search = () => import('./search.js');

/** `--since` / `--until`: an ISO date-time, or an age back from now (15m, 2h, 1d). */
function parseTime(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const relative = /^(\d+)([smhd])$/.exec(raw);
  if (relative) return Date.now() - Number(relative[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[relative[2] as 's']!;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms))
    throw new CliUsageError(`${flag} takes an ISO date-time (2026-11-24T10:00:00Z) or an age like 15m, 2h, 1d.`);
  return ms;
}

/** One entry on one line; the client as the admin knows them, the entry's id last. */
function logLine(r: LogSummary, clients: Map<string, LogClient>, withId = true): string {
  const client = r.client_id ? clients.get(r.client_id) : undefined;
  const who = client ? `${r.client_id} ${client.name} <${client.email}>` : (r.client_id ?? '-');
  return `${new Date(r.at_ms).toISOString()} ${r.status} ${r.method.padEnd(6)} ${r.path} ${r.duration_ms}ms ${r.ip} ${who}${withId ? ` ${r.id}` : ''}`;
}

/** `portico logs …`: search and follow the User API's request log from the shell. */
export function registerLogCommands(program: Command): void {
  const logs = program
    .command('logs')
    .description('The User API request log (turn it on with: portico settings set userapi.logging on)');
  logs
    .command('search')
    .description('Find log entries by client, route, status, address and time; or print one in full')
    .option('--client <id>', 'client id')
    .option('--email <address>', "the client's email")
    .option('--route <operationId|path>', 'route id or the path called')
    .option('--status <code>', 'HTTP status')
    .option('--ip <address>', 'caller address')
    .option('--since <time>', 'ISO time or age (15m, 2h, 1d)')
    .option('--until <time>', 'ISO time or age')
    .option('--limit <n>', 'how many', '50')
    .option('--show <id>', 'print one entry in full')
    .action(async (opts: Record<string, string | undefined>) => {
      const { clientsOf, getEntry, searchLog } = await search();
      await withApp(async (app) => {
        if (opts.show) {
          console.log(JSON.stringify(await getEntry(app, opts.show), null, 2));
          return;
        }
        const rows = await searchLog(app, {
          clientId: opts.client,
          clientEmail: opts.email,
          route: opts.route,
          status: opts.status ? Number(opts.status) : undefined,
          ip: opts.ip,
          sinceMs: parseTime(opts.since, '--since'),
          untilMs: parseTime(opts.until, '--until'),
          limit: Number(opts.limit ?? 50),
        });
        const clients = await clientsOf(app, rows);
        for (const r of rows) console.log(logLine(r, clients));
        if (rows.length === 0)
          console.log(
            app.settings.snapshot['userapi.logging']
              ? 'No entries match.'
              : 'No entries match (logging is off: portico settings set userapi.logging on).',
          );
      });
    });
  logs
    .command('tail')
    .description('Print new entries as they arrive (Ctrl+C to stop)')
    .action(async () => {
      const { clientsOf, searchLog } = await search();
      await withApp(async (app) => {
        let last = (await searchLog(app, { limit: 1 }))[0]?.id ?? '';
        for (;;) {
          const rows = (await searchLog(app, { limit: 200 })).filter((r) => r.id > last).reverse();
          const clients = await clientsOf(app, rows);
          for (const r of rows) console.log(logLine(r, clients, false));
          if (rows.length) last = rows.at(-1)!.id;
          await new Promise((r) => setTimeout(r, 1000));
        }
      });
    });
}
