import type { Command } from 'commander';
import { clientsOf, getEntry, type LogClient, type LogSummary, searchLog } from '../requestlog/search.js';
import {
  addAlias,
  findAliasView,
  type RouteChanges,
  removeAlias,
  routeTableView,
  updateAlias,
  updateRoute,
} from '../userapi/route-overrides.js';
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

interface ChangeOptions {
  enabled?: string;
  name?: string;
  category?: string;
  description?: string;
  reset?: boolean;
}

function withChangeOptions(command: Command): Command {
  return command
    .option('--enabled <bool>', 'true or false')
    .option('--name <name>', 'name shown in the docs')
    .option('--category <category>', 'docs category')
    .option('--description <text>', 'docs description');
}

/** The changes the options ask for; `optional`: none is fine (a new alias takes the defaults). */
function changesOf(opts: ChangeOptions, optional = false): RouteChanges {
  if (opts.reset) return { enabled: true, name: null, category: null, description: null };
  const changes: RouteChanges = {
    ...(opts.enabled !== undefined ? { enabled: parseBool(opts.enabled) } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.category !== undefined ? { category: opts.category } : {}),
    ...(opts.description !== undefined ? { description: opts.description } : {}),
  };
  if (!optional && Object.keys(changes).length === 0)
    throw new CliUsageError('Say what to change: --enabled, --name, --category, --description or --reset.');
  return changes;
}

/** One entry on one line; the client as the admin knows them, the entry's id last. */
function logLine(r: LogSummary, clients: Map<string, LogClient>, withId = true): string {
  const client = r.client_id ? clients.get(r.client_id) : undefined;
  const who = client ? `${r.client_id} ${client.name} <${client.email}>` : (r.client_id ?? '-');
  return `${new Date(r.at_ms).toISOString()} ${r.status} ${r.method.padEnd(6)} ${r.path} ${r.duration_ms}ms ${r.ip} ${who}${withId ? ` ${r.id}` : ''}`;
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
            for (const a of r.aliases)
              console.log(
                `  ${a.enabled ? 'on ' : 'OFF'} alias  ${a.path.padEnd(40)} ${a.operation_id.padEnd(28)} ${a.name}${a.category === r.category ? '' : ` [${a.category}]`}`,
              );
          }
        }
      });
    });
  withChangeOptions(
    routes
      .command('set <operationId>')
      .description('Change a route: enable or disable it, its name, category and description in the docs'),
  )
    .option('--reset', 'back to the defaults from code')
    .action(async (operationId: string, opts: ChangeOptions) => {
      await withApp(async (app) => {
        await updateRoute(app, operationId, changesOf(opts), CLI);
        console.log(`Route ${operationId} updated; running instances follow within a second.`);
      });
    });
  const alias = routes
    .command('alias')
    .description('Aliases: the route under another path, a route entry of its own (enabled, named, described)');
  withChangeOptions(
    alias
      .command('add <operationId> <path>')
      .description("Add an alias, e.g. `routes alias add listServices /cloud`; its name etc. default to the route's"),
  ).action(async (operationId: string, path: string, opts: ChangeOptions) => {
    await withApp(async (app) => {
      const added = await addAlias(app, operationId, { path, ...changesOf(opts, true) }, CLI);
      const view = findAliasView(app, added);
      console.log(
        `Alias ${view.method} ${added} → ${operationId} added (operation id ${view.operation_id}${view.enabled ? '' : ', disabled'}).`,
      );
    });
  });
  withChangeOptions(
    alias
      .command('set <path>')
      .description(
        "Change an alias like a route: --enabled, --name, --category, --description; --reset for the route's",
      )
      .option('--reset', "enabled, with the original route's name, category and description"),
  ).action(async (path: string, opts: ChangeOptions) => {
    await withApp(async (app) => {
      const changed = await updateAlias(app, path, changesOf(opts), CLI);
      const view = findAliasView(app, changed);
      console.log(
        `Alias ${changed} updated (${view.enabled ? 'enabled' : 'disabled'}, "${view.name}" in ${view.category}); running instances follow within a second.`,
      );
    });
  });
  alias
    .command('rm <path>')
    .description('Remove an alias')
    .action(async (path: string) => {
      await withApp(async (app) => {
        const removed = await removeAlias(app, path, CLI);
        console.log(`Alias ${removed} removed.`);
      });
    });

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
