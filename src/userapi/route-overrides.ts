import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { checkText } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';
import { pathParams } from '../platform/http/route.js';
import { bumpConfigVersion } from '../settings/store.js';
import {
  aliasExists,
  deleteRouteAlias,
  findRouteOverride,
  insertRouteAlias,
  saveRouteOverride,
  updateRouteAlias,
} from './route-store.js';
import { API_PREFIX, type EffectiveAlias, type EffectiveRoute } from './route-table.js';

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

/** Refuses a docs name or category that is empty or too long, naming the field. */
function checkDocsFields(changes: RouteChanges): void {
  for (const [field, value] of Object.entries({ name: changes.name, category: changes.category })) {
    if (typeof value === 'string' && (value.trim() === '' || value.length > 100)) {
      throw new AppError('validation_failed', `The ${field} must be 1–100 characters.`, {
        errors: [{ field: `body.${field}`, message: 'must be 1–100 characters' }],
      });
    }
    if (typeof value === 'string') checkText(value, `body.${field}`);
  }
  if (typeof changes.description === 'string') checkText(changes.description, 'body.description', 'block');
}

export async function updateRoute(deps: Deps, operationId: string, changes: RouteChanges, actor: Actor): Promise<void> {
  known(deps, operationId);
  checkDocsFields(changes);
  const now = deps.clock.nowMs();
  await deps.db.kysely.transaction().execute(async (trx) => {
    const current = await findRouteOverride(trx, operationId);
    const row = {
      operation_id: operationId,
      enabled: changes.enabled === undefined ? (current?.enabled ?? null) : changes.enabled ? 1 : 0,
      name: changes.name === undefined ? (current?.name ?? null) : changes.name,
      category: changes.category === undefined ? (current?.category ?? null) : changes.category,
      description: changes.description === undefined ? (current?.description ?? null) : changes.description,
      updated_at_ms: now,
    };
    await saveRouteOverride(trx, row);
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
/** Paths below /api/v1 that are not routes but must stay reachable. */
const RESERVED = ['/openapi.json'];

const pathError = (message: string) =>
  new AppError('validation_failed', message, { errors: [{ field: 'body.path', message }] });

/**
 * An alias path as stored: below /api/v1, without it. `/api/v1/cloud` means `/cloud` (every
 * route is under the prefix, so giving it is taken as naming the prefix, not doubling it); a
 * trailing slash is dropped.
 */
export function normaliseAliasPath(raw: string): string {
  const path = raw.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path))
    throw pathError(`Give the alias as a path below ${API_PREFIX}, such as /cloud, not a full URL.`);
  const below = path === API_PREFIX || path.startsWith(`${API_PREFIX}/`) ? path.slice(API_PREFIX.length) : path;
  return below.length > 1 && below.endsWith('/') ? below.slice(0, -1) : below;
}

export interface NewAlias extends RouteChanges {
  path: string;
}

export async function addAlias(deps: Deps, operationId: string, input: NewAlias, actor: Actor): Promise<string> {
  const route = known(deps, operationId);
  const path = normaliseAliasPath(input.path);
  if (!ALIAS_PATH.test(path) || path.includes('//') || /\{(?!\w+\})/.test(path)) {
    throw pathError(
      `The alias must be a path below ${API_PREFIX} such as /cloud/{id}: letters, digits, - . _ ~ / and {parameters}.`,
    );
  }
  if (RESERVED.includes(path)) throw pathError(`${API_PREFIX}${path} is taken by Portico itself; choose another path.`);
  const wanted = [...pathParams(route.spec.path)].sort().join(',');
  const given = [...pathParams(path)].sort().join(',');
  if (wanted !== given) {
    throw pathError(
      `The alias must have exactly the route's path parameters {${pathParams(route.spec.path).join('}, {') || ''}}; it has {${pathParams(path).join('}, {')}}.`,
    );
  }
  checkDocsFields(input);
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
    if (await aliasExists(trx, path)) throw new AppError('conflict', `The alias ${path} already exists.`);
    await insertRouteAlias(trx, {
      path,
      operation_id: operationId,
      enabled: input.enabled === false ? 0 : 1,
      name: input.name ?? null,
      category: input.category ?? null,
      description: input.description ?? null,
      created_at_ms: now,
      updated_at_ms: now,
    });
    await bumpConfigVersion(trx);
    await audit(trx, now, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'route.alias_add',
      targetType: 'route',
      targetId: operationId,
      ip: actor.ip ?? null,
      details: { ...input, path },
    });
  });
  await deps.watcher.check(true);
  return path;
}

/** Changes an alias like a route: enabled on its own, its own docs name, category, description (null: the original's). */
export async function updateAlias(deps: Deps, rawPath: string, changes: RouteChanges, actor: Actor): Promise<string> {
  const path = normaliseAliasPath(rawPath);
  checkDocsFields(changes);
  const set = {
    ...(changes.enabled !== undefined ? { enabled: changes.enabled ? 1 : 0 } : {}),
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.category !== undefined ? { category: changes.category } : {}),
    ...(changes.description !== undefined ? { description: changes.description } : {}),
  };
  await changeAlias(deps, path, actor, { action: 'route.alias_update', details: { ...changes } }, (trx, now) =>
    updateRouteAlias(trx, path, set, now),
  );
  return path;
}

export async function removeAlias(deps: Deps, rawPath: string, actor: Actor): Promise<string> {
  const path = normaliseAliasPath(rawPath);
  await changeAlias(deps, path, actor, { action: 'route.alias_remove' }, (trx) => deleteRouteAlias(trx, path));
  return path;
}

async function changeAlias(
  deps: Deps,
  path: string,
  actor: Actor,
  what: { action: string; details?: Record<string, unknown> },
  /** Makes the change; false when there is no alias at the path. */
  change: (trx: Deps['db']['kysely'], nowMs: number) => Promise<boolean>,
): Promise<void> {
  const now = deps.clock.nowMs();
  await deps.db.kysely.transaction().execute(async (trx) => {
    if (!(await change(trx, now)))
      throw new AppError('not_found', `No alias ${path}. \`portico routes list\` shows them.`);
    await bumpConfigVersion(trx);
    await audit(trx, now, {
      actorType: actor.type,
      actorId: actor.id,
      action: what.action,
      targetType: 'alias',
      targetId: path,
      ip: actor.ip ?? null,
      ...(what.details ? { details: what.details } : {}),
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
    default_description: r.spec.description,
    aliases: r.aliases.map((a) => aliasView(r, a)),
  }));
}

/** An alias as the admin sees it: its own state, and what it falls back to. */
export function aliasView(route: EffectiveRoute, alias: EffectiveAlias) {
  return {
    path: alias.path,
    operation_id: alias.operationId,
    method: route.spec.method,
    target: route.operationId,
    target_path: route.spec.path,
    enabled: alias.enabled,
    name: alias.name,
    category: alias.category,
    description: alias.description,
    default_name: route.name,
    default_category: route.category,
    default_description: route.description,
  };
}

/** One alias's view, or not_found naming what to do. */
export function findAliasView(deps: Pick<AppContext, 'routes'>, rawPath: string) {
  const alias = deps.routes.alias(normaliseAliasPath(rawPath));
  const route = alias && deps.routes.get(alias.target);
  if (!alias || !route) throw new AppError('not_found', `No alias ${rawPath}. \`portico routes list\` shows them.`);
  return aliasView(route, alias);
}
