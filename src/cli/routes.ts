import type { Command } from 'commander';
import { getEntry, searchLog } from '../requestlog/search.js';
import { addAlias, removeAlias, routeTableView, updateRoute } from '../userapi/route-admin.js';
import { withApp } from './commands.js';
import { CliUsageError } from './servers.js';

/** `portico routes …` and `portico logs …`: the User API's routes and request log from the shell. */
const CLI = { type: 'cli' as const, id: null };

function parseBool(raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  if (['true', 'on', 'yes', '1'].includes(raw)) return true;
  if (['false', 'off', 'no', '0'].includes(raw)) return false;
  throw new CliUsageError('--enabled takes true or false.');
}

function parseTime(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const relative = /^(\d+)([smhd])$/.exec(raw);
  if (relative) return Date.now() - Number(relative[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[relative[2] as 's']!;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms))
    throw new CliUsageError(`${flag} takes an ISO date-time (2026-11-24T10:00:00Z) or an age like 15m, 2h, 1d.`);
  return ms;
}

export function registerRouteCommands(program: Command): void {
  const routes = program
    .command('routes')
    .description('Shape the User API: enable, rename, re-categorise, alias routes');
  routes
    .command('list')
    .description('List the User API routes by category, with their state and aliases')
    .action(async () => {
      await withApp(async (app) => {
        const table = routeTableView(app);
        for (const category of [...new Set(table.map((r) => r.category))].sort()) {
          console.log(`\n${category}`);
          for (const r of table.filter((x) => x.category === category)) {
            console.log(
              `  ${r.enabled ? 'on ' : 'OFF'} ${r.method.padEnd(6)} ${r.path.padEnd(40)} ${r.operation_id.padEnd(28)} ${r.name}`,
            );
            for (const a of r.aliases) console.log(`       alias ${a.path}${a.enabled ? '' : ' (off)'}`);
          }
        }
      });
    });
  routes
    .command('set <operationId>')
    .description('Enable or disable a route, or change its name, category or description in the docs')
    .option('--enabled <bool>', 'true or false')
    .option('--name <name>', 'name shown in the docs')
    .option('--category <category>', 'docs category')
    .option('--description <text>', 'docs description')
    .option('--reset', 'back to the defaults from code')
    .action(
      async (
        operationId: string,
        opts: { enabled?: string; name?: string; category?: string; description?: string; reset?: boolean },
      ) => {
        await withApp(async (app) => {
          const changes = opts.reset
            ? { enabled: true, name: null, category: null, description: null }
            : {
                ...(opts.enabled !== undefined ? { enabled: parseBool(opts.enabled) } : {}),
                ...(opts.name !== undefined ? { name: opts.name } : {}),
                ...(opts.category !== undefined ? { category: opts.category } : {}),
                ...(opts.description !== undefined ? { description: opts.description } : {}),
              };
          if (Object.keys(changes).length === 0)
            throw new CliUsageError('Say what to change: --enabled, --name, --category, --description or --reset.');
          await updateRoute(app, operationId, changes, CLI);
          console.log(`Route ${operationId} updated; running instances follow within a second.`);
        });
      },
    );
  const alias = routes.command('alias').description('Aliases: the same route under another path');
  alias
    .command('add <operationId> <path>')
    .description('Serve a route under another path as well')
    .action(async (operationId: string, path: string) => {
      await withApp(async (app) => {
        await addAlias(app, operationId, path, CLI);
        console.log(`Alias ${path} → ${operationId} added.`);
      });
    });
  alias
    .command('rm <path>')
    .description('Remove an alias')
    .action(async (path: string) => {
      await withApp(async (app) => {
        await removeAlias(app, path, CLI);
        console.log(`Alias ${path} removed.`);
      });
    });

  const logs = program
    .command('logs')
    .description('The User API request log (turn it on with: portico settings set userapi.logging on)');
  logs
    .command('search')
    .description('Find log entries by client, route, status, address and time; or print one in full')
    .option('--client <id>', 'client id')
    .option('--route <operationId|path>', 'route id or the path called')
    .option('--status <code>', 'HTTP status')
    .option('--ip <address>', 'caller address')
    .option('--since <time>', 'ISO time or age (15m, 2h, 1d)')
    .option('--until <time>', 'ISO time or age')
    .option('--limit <n>', 'how many', '50')
    .option('--show <id>', 'print one entry in full')
    .action(async (opts: Record<string, string | undefined>) => {
      await withApp(async (app) => {
        if (opts.show) {
          console.log(JSON.stringify(await getEntry(app, opts.show), null, 2));
          return;
        }
        const rows = await searchLog(app, {
          clientId: opts.client,
          route: opts.route,
          status: opts.status ? Number(opts.status) : undefined,
          ip: opts.ip,
          sinceMs: parseTime(opts.since, '--since'),
          untilMs: parseTime(opts.until, '--until'),
          limit: Number(opts.limit ?? 50),
        });
        for (const r of rows)
          console.log(
            `${new Date(r.at_ms).toISOString()} ${r.status} ${r.method.padEnd(6)} ${r.path} ${r.duration_ms}ms ${r.ip} ${r.client_id ?? '-'} ${r.id}`,
          );
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
      await withApp(async (app) => {
        let last = (await searchLog(app, { limit: 1 }))[0]?.id ?? '';
        for (;;) {
          const rows = (await searchLog(app, { limit: 200 })).filter((r) => r.id > last).reverse();
          for (const r of rows)
            console.log(
              `${new Date(r.at_ms).toISOString()} ${r.status} ${r.method.padEnd(6)} ${r.path} ${r.duration_ms}ms ${r.ip} ${r.client_id ?? '-'}`,
            );
          if (rows.length) last = rows.at(-1)!.id;
          await new Promise((r) => setTimeout(r, 1000));
        }
      });
    });
}
