import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { AppError } from '../platform/http/errors.js';
import { pathParams } from '../platform/http/route.js';
import { checkText } from '../platform/http/schemas.js';
import { bumpConfigVersion } from '../settings/store.js';

/**
 * The admin's changes to User API routes: enable/disable, rename, re-categorise, re-describe, and
 * aliases. Each change bumps the config version in its transaction, so every instance's route
 * table follows within a second — no restart, no dropped requests.
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'routes' | 'watcher'>;
export interface Actor {
  type: 'admin' | 'cli';
  id: string | null;
  ip?: string | null;
}

export interface RouteChanges {
  enabled?: boolean;
  name?: string | null;
  category?: string | null;
  description?: string | null;
}

function known(deps: Deps, operationId: string) {
  const route = deps.routes.get(operationId);
  if (!route)
    throw new AppError('not_found', `No route with operationId ${operationId}. \`portico routes list\` shows them.`);
  return route;
}

export async function updateRoute(deps: Deps, operationId: string, changes: RouteChanges, actor: Actor): Promise<void> {
  known(deps, operationId);
  for (const [field, value] of Object.entries({ name: changes.name, category: changes.category })) {
    if (typeof value === 'string' && (value.trim() === '' || value.length > 100)) {
      throw new AppError('validation_failed', `The ${field} must be 1–100 characters.`, {
        errors: [{ field: `body.${field}`, message: 'must be 1–100 characters' }],
      });
    }
    if (typeof value === 'string') checkText(value, `body.${field}`);
  }
  if (typeof changes.description === 'string') checkText(changes.description, 'body.description', 'block');
  const now = deps.clock.nowMs();
  await deps.db.kysely.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('route_overrides')
      .selectAll()
      .where('operation_id', '=', operationId)
      .executeTakeFirst();
    const row = {
      operation_id: operationId,
      enabled: changes.enabled === undefined ? (current?.enabled ?? null) : changes.enabled ? 1 : 0,
      name: changes.name === undefined ? (current?.name ?? null) : changes.name,
      category: changes.category === undefined ? (current?.category ?? null) : changes.category,
      description: changes.description === undefined ? (current?.description ?? null) : changes.description,
      updated_at_ms: now,
    };
    await trx
      .insertInto('route_overrides')
      .values(row)
      .onConflict((oc) => oc.column('operation_id').doUpdateSet(row))
      .execute();
    await bumpConfigVersion(trx);
    await audit(trx, now, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'route.update',
      targetType: 'route',
      targetId: operationId,
      ip: actor.ip ?? null,
      details: { ...changes },
    });
  });
  await deps.watcher.check(true);
}

const ALIAS_PATH = /^\/[A-Za-z0-9._~\-/{}]{1,200}$/;

export async function addAlias(deps: Deps, operationId: string, path: string, actor: Actor): Promise<void> {
  const route = known(deps, operationId);
  const fail = (message: string) =>
    new AppError('validation_failed', message, { errors: [{ field: 'body.path', message }] });
  if (!ALIAS_PATH.test(path) || path.includes('//') || /\{(?!\w+\})/.test(path)) {
    throw fail(
      'The alias must be a path below /api/v1 such as /cloud/{id}: letters, digits, - . _ ~ / and {parameters}.',
    );
  }
  const wanted = [...pathParams(route.spec.path)].sort().join(',');
  const given = [...pathParams(path)].sort().join(',');
  if (wanted !== given) {
    throw fail(
      `The alias must have exactly the route's path parameters {${pathParams(route.spec.path).join('}, {') || ''}}; it has {${pathParams(path).join('}, {')}}.`,
    );
  }
  const shape = (p: string) => p.replace(/\{\w+\}/g, '{}');
  for (const other of deps.routes.all()) {
    const clash = [other.spec.path, ...other.aliases.map((a) => a.path)].find((p) => shape(p) === shape(path));
    if (clash && other.spec.method === route.spec.method) {
      throw new AppError(
        'conflict',
        `${route.spec.method} ${path} collides with ${other.spec.method} ${clash} (${other.operationId}).`,
      );
    }
  }
  const now = deps.clock.nowMs();
  await deps.db.kysely.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('route_aliases').select('path').where('path', '=', path).executeTakeFirst();
    if (existing) throw new AppError('conflict', `The alias ${path} already exists.`);
    await trx
      .insertInto('route_aliases')
      .values({ path, operation_id: operationId, enabled: 1, created_at_ms: now, updated_at_ms: now })
      .execute();
    await bumpConfigVersion(trx);
    await audit(trx, now, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'route.alias_add',
      targetType: 'route',
      targetId: operationId,
      ip: actor.ip ?? null,
      details: { path },
    });
  });
  await deps.watcher.check(true);
}

export async function setAliasEnabled(deps: Deps, path: string, enabled: boolean, actor: Actor): Promise<void> {
  await changeAlias(deps, path, actor, 'route.alias_toggle', async (trx, now) =>
    trx
      .updateTable('route_aliases')
      .set({ enabled: enabled ? 1 : 0, updated_at_ms: now })
      .where('path', '=', path)
      .executeTakeFirst(),
  );
}

export async function removeAlias(deps: Deps, path: string, actor: Actor): Promise<void> {
  await changeAlias(deps, path, actor, 'route.alias_remove', async (trx) =>
    trx.deleteFrom('route_aliases').where('path', '=', path).executeTakeFirst(),
  );
}

async function changeAlias(
  deps: Deps,
  path: string,
  actor: Actor,
  action: string,
  change: (trx: Deps['db']['kysely'], nowMs: number) => Promise<{ numUpdatedRows?: bigint; numDeletedRows?: bigint }>,
): Promise<void> {
  const now = deps.clock.nowMs();
  await deps.db.kysely.transaction().execute(async (trx) => {
    const result = await change(trx, now);
    if (Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0) !== 1)
      throw new AppError('not_found', `No alias ${path}.`);
    await bumpConfigVersion(trx);
    await audit(trx, now, {
      actorType: actor.type,
      actorId: actor.id,
      action,
      targetType: 'alias',
      targetId: path,
      ip: actor.ip ?? null,
    });
  });
  await deps.watcher.check(true);
}

/** The route table as the admin sees it: by category, with the effective state of each route and alias. */
export function routeTableView(deps: Pick<AppContext, 'routes'>) {
  return deps.routes.all().map((r) => ({
    operation_id: r.operationId,
    method: r.spec.method,
    path: r.spec.path,
    enabled: r.enabled,
    name: r.name,
    category: r.category,
    description: r.description,
    default_name: r.spec.summary,
    default_category: r.spec.category,
    aliases: r.aliases.map((a) => ({ path: a.path, enabled: a.enabled })),
  }));
}
