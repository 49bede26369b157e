import { type Static, Type } from '@sinclair/typebox';
import { adminActor, defineAdminRoute } from '../admin/route.js';
import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { JwtKeyError, validateJwtKeyFile } from '../auth/jwt-keys.js';
import { AppError } from '../platform/http/errors.js';
import {
  NullableString,
  NullableTextLine,
  TEXT_BLOCK_PATTERN,
  TextBlock,
  TextLine,
  Timestamp,
} from '../platform/http/schemas.js';
import { clientsOf, ENTRY_ID_PATTERN, entryView, getEntry, searchLog, toCsv } from '../requestlog/search.js';
import { isSettingKey, parseSetting, SettingError } from '../settings/definitions.js';
import { addAlias, findAliasView, removeAlias, routeTableView, updateAlias, updateRoute } from './route-admin.js';

/** "Extras → User API" in the Admin API: settings, the route table and aliases, the request log. */
const USERAPI_KEYS: readonly string[] = [
  'userapi.logging',
  'userapi.log_retention_days',
  'userapi.rate_limit',
  'userapi.auth_methods',
  'userapi.jwt_key_path',
  'userapi.docs.company_name',
  'userapi.docs.logo_url',
  'userapi.docs.intro',
  'admin.allowed_ips',
  'trust_proxy',
];

const Setting = Type.Object(
  {
    key: Type.String({ examples: ['userapi.logging'] }),
    value: Type.String({ description: 'As stored (or the default), in the form `settings set` takes.' }),
    isDefault: Type.Boolean(),
    description: Type.String(),
  },
  { additionalProperties: false },
);
const Settings = Type.Object({ items: Type.Array(Setting) }, { additionalProperties: false });
// The docs intro is a block of text; every other value is one line, which TextBlock also allows.
const SettingsPatch = Type.Record(Type.String({ maxLength: 100 }), TextBlock({ maxLength: 20000 }), {
  examples: [{ 'userapi.logging': 'on' }],
});

/** What the admin can change on a route or an alias; null goes back to the default. */
const RouteFields = {
  enabled: Type.Optional(Type.Boolean()),
  name: Type.Optional(NullableTextLine({ maxLength: 100 })),
  category: Type.Optional(NullableTextLine({ maxLength: 100 })),
  description: Type.Optional(NullableString({ maxLength: 5000, pattern: TEXT_BLOCK_PATTERN })),
};
const RoutePatch = Type.Object(RouteFields, { additionalProperties: false, minProperties: 1 });
const NewAlias = Type.Object(
  { path: TextLine({ minLength: 2, maxLength: 200, examples: ['/my-services'] }), ...RouteFields },
  { additionalProperties: false },
);
const OperationParam = Type.Object(
  { operationId: Type.String({ pattern: '^[A-Za-z0-9_]{1,100}$', examples: ['listServices'] }) },
  { additionalProperties: false },
);
const AliasQuery = Type.Object(
  { path: TextLine({ minLength: 2, maxLength: 200, examples: ['/my-services'] }) },
  { additionalProperties: false },
);

const AliasView = Type.Object(
  {
    path: Type.String(),
    operation_id: Type.String(),
    method: Type.String(),
    target: Type.String({ description: 'The operationId of the route it calls.' }),
    target_path: Type.String(),
    enabled: Type.Boolean(),
    name: Type.String(),
    category: Type.String(),
    description: Type.String(),
    default_name: Type.String(),
    default_category: Type.String(),
    default_description: Type.String(),
  },
  { additionalProperties: false },
);
const RouteView = Type.Object(
  {
    operation_id: Type.String(),
    method: Type.String(),
    path: Type.String(),
    enabled: Type.Boolean(),
    name: Type.String(),
    category: Type.String(),
    description: Type.String(),
    default_name: Type.String(),
    default_category: Type.String(),
    default_description: Type.String(),
    aliases: Type.Array(AliasView),
  },
  { additionalProperties: false },
);

const LogQuery = Type.Object(
  {
    client_id: Type.Optional(TextLine({ maxLength: 40 })),
    email: Type.Optional(TextLine({ minLength: 1, maxLength: 254 })),
    route: Type.Optional(TextLine({ maxLength: 200 })),
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    ip: Type.Optional(TextLine({ maxLength: 64 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    before: Type.Optional(Type.String({ maxLength: 40, description: 'The `next_before` of the previous page.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
const LogClient = Type.Object(
  { id: Type.String(), name: Type.String(), email: Type.String() },
  { additionalProperties: false },
);
const entryFields = {
  id: Type.String({ pattern: ENTRY_ID_PATTERN }),
  at: Timestamp,
  method: Type.String(),
  route: NullableString({ description: 'The operationId of the route called, null for an unknown path.' }),
  path: Type.String(),
  status: Type.Integer(),
  duration_ms: Type.Integer(),
  ip: Type.String(),
  client_id: NullableString(),
  client: Type.Union([LogClient, Type.Null()]),
  request_id: Type.String(),
};
const LogPage = Type.Object(
  {
    items: Type.Array(Type.Object(entryFields, { additionalProperties: false })),
    next_before: NullableString({ description: 'Pass as `before` for the next page; null on the last one.' }),
  },
  { additionalProperties: false },
);
const LogEntry = Type.Object(
  {
    ...entryFields,
    query: NullableString(),
    request_headers: Type.Record(Type.String(), Type.String()),
    request_body: NullableString(),
    response_body: NullableString(),
  },
  { additionalProperties: false },
);

const filterOf = (q: Static<typeof LogQuery>) => ({
  clientId: q.client_id,
  clientEmail: q.email,
  route: q.route,
  status: q.status,
  ip: q.ip,
  sinceMs: q.since ? Date.parse(q.since) : undefined,
  untilMs: q.until ? Date.parse(q.until) : undefined,
  beforeId: q.before,
  limit: q.limit,
});

const userApiSettings = (app: Pick<AppContext, 'settings'>) => ({
  items: app.settings.list().filter((s) => USERAPI_KEYS.includes(s.key)),
});

/** Checks every key and value first, so a patch with one bad value changes nothing. */
function checkSettingsPatch(app: Pick<AppContext, 'config'>, patch: Record<string, string>): void {
  const errors: { field: string; message: string }[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (!USERAPI_KEYS.includes(key) || !isSettingKey(key)) {
      errors.push({ field: `body.${key}`, message: 'is not a User API setting' });
      continue;
    }
    try {
      parseSetting(key, value);
    } catch (error) {
      if (error instanceof SettingError) errors.push({ field: `body.${key}`, message: error.message });
      else throw error;
    }
    if (key === 'userapi.jwt_key_path' && value !== '') {
      try {
        validateJwtKeyFile(app.config, value);
      } catch (error) {
        if (error instanceof JwtKeyError) errors.push({ field: `body.${key}`, message: error.message });
        else throw error;
      }
    }
  }
  if (errors.length)
    throw new AppError('validation_failed', errors.map((e) => `${e.field}: ${e.message}`).join(' '), { errors });
}

async function updateUserApiSettings(
  app: Pick<AppContext, 'config' | 'settings' | 'db' | 'clock' | 'watcher'>,
  patch: Record<string, string>,
  actor: { id: string; ip: string; requestId: string },
): Promise<void> {
  checkSettingsPatch(app, patch);
  try {
    for (const [key, value] of Object.entries(patch)) await app.settings.set(key, value, app.clock.nowMs());
  } catch (error) {
    if (error instanceof SettingError)
      throw new AppError('validation_failed', error.message, { errors: [{ field: 'body', message: error.message }] });
    throw error;
  }
  await audit(app.db.kysely, app.clock.nowMs(), {
    actorType: 'admin',
    actorId: actor.id,
    action: 'settings.update',
    ip: actor.ip,
    requestId: actor.requestId,
    details: { keys: Object.keys(patch) },
  });
  await app.watcher.check(true);
}

const category = 'User API';

export const userApiAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/userapi/settings',
    operationId: 'adminListUserApiSettings',
    category,
    summary: 'List the User API settings',
    description: 'The settings of the User API, its docs and the Admin API’s allowlist, with their current values.',
    auth: 'admin',
    response: { status: 200, description: 'The settings.', schema: Settings },
    handler: async (_input, ctx) => userApiSettings(ctx.app),
  }),
  defineAdminRoute({
    method: 'PATCH',
    path: '/userapi/settings',
    operationId: 'adminUpdateUserApiSettings',
    category,
    summary: 'Change User API settings',
    description:
      'Sets each given key to its value (as `portico settings set` takes it). Every key and value is checked first: with one wrong, nothing changes. Every instance follows within a second.',
    auth: 'admin',
    body: SettingsPatch,
    response: { status: 200, description: 'The settings after the change.', schema: Settings },
    handler: async ({ body }, ctx) => {
      await updateUserApiSettings(ctx.app, body, {
        id: ctx.principal.adminId,
        ip: ctx.ip,
        requestId: ctx.requestId,
      });
      return userApiSettings(ctx.app);
    },
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/userapi/routes',
    operationId: 'adminListUserApiRoutes',
    category,
    summary: 'List the User API routes',
    description:
      'Every User API route with the admin’s changes (enabled, name, category, description) and its aliases.',
    auth: 'admin',
    response: {
      status: 200,
      description: 'The route table.',
      schema: Type.Object({ items: Type.Array(RouteView) }, { additionalProperties: false }),
    },
    handler: async (_input, ctx) => ({ items: routeTableView(ctx.app) }),
  }),
  defineAdminRoute({
    method: 'PATCH',
    path: '/userapi/routes/{operationId}',
    operationId: 'adminUpdateUserApiRoute',
    category,
    summary: 'Change a User API route',
    description:
      'Enables or disables a route, or renames, re-categorises or re-describes it in the docs; null restores the default.',
    auth: 'admin',
    params: OperationParam,
    body: RoutePatch,
    response: { status: 200, description: 'The route after the change.', schema: RouteView },
    errors: ['not_found'],
    handler: async ({ params, body }, ctx) => {
      await updateRoute(ctx.app, params.operationId, body, adminActor(ctx));
      return routeTableView(ctx.app).find((r) => r.operation_id === params.operationId);
    },
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/userapi/routes/{operationId}/aliases',
    operationId: 'adminAddUserApiAlias',
    category,
    summary: 'Add an alias to a User API route',
    description: 'Another path for the same route, with its own name, category, description and switch.',
    auth: 'admin',
    params: OperationParam,
    body: NewAlias,
    response: { status: 201, description: 'The alias.', schema: AliasView },
    errors: ['not_found', 'conflict'],
    handler: async ({ params, body }, ctx) => {
      const path = await addAlias(ctx.app, params.operationId, body, adminActor(ctx));
      return findAliasView(ctx.app, path);
    },
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/userapi/aliases',
    operationId: 'adminGetUserApiAlias',
    category,
    summary: 'Get an alias',
    description: 'One alias by its path.',
    auth: 'admin',
    query: AliasQuery,
    response: { status: 200, description: 'The alias.', schema: AliasView },
    errors: ['not_found'],
    handler: async ({ query }, ctx) => findAliasView(ctx.app, query.path),
  }),
  defineAdminRoute({
    method: 'PATCH',
    path: '/userapi/aliases',
    operationId: 'adminUpdateUserApiAlias',
    category,
    summary: 'Change an alias',
    description:
      'Enables or disables an alias, or changes its name, category or description; null restores the default.',
    auth: 'admin',
    query: AliasQuery,
    body: RoutePatch,
    response: { status: 200, description: 'The alias after the change.', schema: AliasView },
    errors: ['not_found'],
    handler: async ({ query, body }, ctx) => {
      const path = await updateAlias(ctx.app, query.path, body, adminActor(ctx));
      return findAliasView(ctx.app, path);
    },
  }),
  defineAdminRoute({
    method: 'DELETE',
    path: '/userapi/aliases',
    operationId: 'adminRemoveUserApiAlias',
    category,
    summary: 'Remove an alias',
    description: 'The path stops answering at once on every instance.',
    auth: 'admin',
    query: AliasQuery,
    response: { status: 204, description: 'Removed.' },
    errors: ['not_found'],
    handler: async ({ query }, ctx) => {
      await removeAlias(ctx.app, query.path, adminActor(ctx));
      return undefined;
    },
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/userapi/logs',
    operationId: 'adminSearchUserApiLog',
    category,
    summary: 'Search the request log',
    description: 'User API requests, newest first, by client, email, route, status, address and time.',
    auth: 'admin',
    query: LogQuery,
    response: { status: 200, description: 'A page of entries.', schema: LogPage },
    handler: async ({ query }, ctx) => {
      const rows = await searchLog(ctx.app, filterOf(query));
      const limit = query.limit ?? 50;
      const clients = await clientsOf(ctx.app, rows);
      return {
        items: rows.map((r) => entryView(r, clients)),
        next_before: rows.length === limit ? (rows.at(-1)?.id ?? null) : null,
      };
    },
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/userapi/logs.csv',
    operationId: 'adminExportUserApiLog',
    category,
    summary: 'Export the request log as CSV',
    description: 'The same search as the list, as a CSV download (up to 1,000 entries unless `limit` says otherwise).',
    auth: 'admin',
    query: LogQuery,
    response: {
      status: 200,
      description: 'The entries as CSV.',
      contentType: 'text/csv; charset=utf-8',
      schema: Type.String(),
    },
    handler: async ({ query }, ctx) => {
      const rows = await searchLog(ctx.app, { ...filterOf(query), limit: query.limit ?? 1000 });
      ctx.setHeader('content-disposition', 'attachment; filename="portico-api-log.csv"');
      return toCsv(rows, await clientsOf(ctx.app, rows));
    },
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/userapi/logs/{id}',
    operationId: 'adminGetUserApiLogEntry',
    category,
    summary: 'Get a request log entry',
    description: 'One entry with its query, request headers and bodies (secrets redacted).',
    auth: 'admin',
    params: Type.Object(
      { id: Type.String({ pattern: ENTRY_ID_PATTERN, examples: ['log_01JD8X3Q4W5E6R7T8Y9ZABCDEF.0000'] }) },
      { additionalProperties: false },
    ),
    response: { status: 200, description: 'The entry.', schema: LogEntry },
    errors: ['not_found'],
    handler: async ({ params }, ctx) => getEntry(ctx.app, params.id),
  }),
];
