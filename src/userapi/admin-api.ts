import { type Static, Type } from '@sinclair/typebox';
import { adminActor, defineAdminRoute } from '../admin/route.js';
import { clientsOf, ENTRY_ID_PATTERN, entryView, getEntry, searchLog, toCsv } from '../requestlog/search.js';
import {
  AliasQuery,
  AliasView,
  LogEntry,
  LogPage,
  LogQuery,
  NewAlias,
  OperationParam,
  RoutePatch,
  RouteView,
  Settings,
  SettingsPatch,
} from './admin-schemas.js';
import { addAlias, findAliasView, removeAlias, routeTableView, updateAlias, updateRoute } from './route-overrides.js';
import { updateUserApiSettings, userApiSettings } from './settings-admin.js';

/** "Extras → User API" in the Admin API: settings, the route table and aliases, the request log. */
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

const category = 'User API';

export const userApiAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/userapi/settings',
    operationId: 'adminListUserApiSettings',
    category,
    summary: 'List the User API settings',
    description:
      'The settings of the User API, its docs, the Admin API’s allowlist and the roles that must use two-factor login, with their current values.',
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
    permission: 'settings',
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
    permission: 'settings',
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
    permission: 'settings',
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
    permission: 'settings',
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
    permission: 'settings',
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
    permission: 'requestlog.read',
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
    permission: 'requestlog.read',
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
    permission: 'requestlog.read',
    params: Type.Object(
      { id: Type.String({ pattern: ENTRY_ID_PATTERN, examples: ['log_01JD8X3Q4W5E6R7T8Y9ZABCDEF.0000'] }) },
      { additionalProperties: false },
    ),
    response: { status: 200, description: 'The entry.', schema: LogEntry },
    errors: ['not_found'],
    handler: async ({ params }, ctx) => getEntry(ctx.app, params.id),
  }),
];
