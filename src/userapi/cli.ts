import type { Command } from 'commander';
import type { AppContext } from '../app-context.js';
import { CliUsageError, parseEnabled } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';
import type { RouteChanges } from './route-overrides.js';

type RouteOverrides = typeof import('./route-overrides.js');

/**
 * Runs a routes command: with the User API's route declarations in the route table and the route
 * management loaded, which only these commands need (src/cli/program.ts).
 */
async function withRoutes<T>(run: (app: AppContext, overrides: RouteOverrides) => Promise<T>): Promise<T> {
  const overrides = await import('./route-overrides.js');
  return withApp((app) => run(app, overrides), { routes: true });
}

/** Who the audit log names for a change made from the shell. */
const CLI = { type: 'cli' as const, id: null };

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
    ...(opts.enabled !== undefined ? { enabled: parseEnabled(opts.enabled) } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.category !== undefined ? { category: opts.category } : {}),
    ...(opts.description !== undefined ? { description: opts.description } : {}),
  };
  if (!optional && Object.keys(changes).length === 0)
    throw new CliUsageError('Say what to change: --enabled, --name, --category, --description or --reset.');
  return changes;
}

/** `portico routes …`: shape the User API (enable, rename, re-categorise, alias) from the shell. */
export function registerRouteCommands(program: Command): void {
  const routes = program
    .command('routes')
    .description('Shape the User API: enable, rename, re-categorise, alias routes');
  routes
    .command('list')
    .description('List the User API routes by category, with their state and aliases')
    .action(async () => {
      await withRoutes(async (app, { routeTableView }) => {
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
      await withRoutes(async (app, { updateRoute }) => {
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
    await withRoutes(async (app, { addAlias, findAliasView }) => {
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
    await withRoutes(async (app, { updateAlias, findAliasView }) => {
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
      await withRoutes(async (app, { removeAlias }) => {
        const removed = await removeAlias(app, path, CLI);
        console.log(`Alias ${removed} removed.`);
      });
    });
}
