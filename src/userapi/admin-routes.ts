import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { JwtKeyError, validateJwtKeyFile } from '../auth/jwt-keys.js';
import { AppError } from '../platform/http/errors.js';
import { clientsOf, ENTRY_ID_PATTERN, entryView, getEntry, searchLog, toCsv } from '../requestlog/search.js';
import { isSettingKey, parseSetting, SettingError } from '../settings/definitions.js';
import { addAlias, findAliasView, removeAlias, routeTableView, updateAlias, updateRoute } from './route-overrides.js';

/** "Extras → User API" in the Admin API: settings, the route table and aliases, the request log. */
const USERAPI_KEYS = [
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
] as const;

const SettingsPatch = Type.Record(Type.String(), Type.String({ maxLength: 20000 }));
/** What the admin can change on a route or an alias; null goes back to the default. */
const RouteFields = {
  enabled: Type.Optional(Type.Boolean()),
  name: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
  category: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
};
const RoutePatch = Type.Object(RouteFields, { additionalProperties: false, minProperties: 1 });
const NewAlias = Type.Object(
  { path: Type.String({ minLength: 2, maxLength: 200 }), ...RouteFields },
  { additionalProperties: false },
);
const LogQuery = Type.Object(
  {
    client_id: Type.Optional(Type.String({ maxLength: 40 })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    route: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    ip: Type.Optional(Type.String({ maxLength: 64 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    before: Type.Optional(Type.String({ maxLength: 40 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
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

export function registerUserApiAdminRoutes(server: FastifyInstance, app: AppContext): void {
  const actor = (request: { admin?: { adminId: string } | undefined; ip: string }) => ({
    type: 'admin' as const,
    id: request.admin?.adminId ?? null,
    ip: request.ip,
  });

  server.get('/userapi/settings', async () => ({
    items: app.settings.list().filter((s) => (USERAPI_KEYS as readonly string[]).includes(s.key)),
  }));

  server.patch<{ Body: Record<string, string> }>(
    '/userapi/settings',
    { schema: { body: SettingsPatch } },
    async (request) => {
      const errors: { field: string; message: string }[] = [];
      for (const [key, value] of Object.entries(request.body)) {
        if (!(USERAPI_KEYS as readonly string[]).includes(key) || !isSettingKey(key)) {
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
      try {
        for (const [key, value] of Object.entries(request.body)) await app.settings.set(key, value, app.clock.nowMs());
      } catch (error) {
        if (error instanceof SettingError)
          throw new AppError('validation_failed', error.message, {
            errors: [{ field: 'body', message: error.message }],
          });
        throw error;
      }
      await audit(app.db.kysely, app.clock.nowMs(), {
        actorType: 'admin',
        actorId: request.admin?.adminId ?? null,
        action: 'settings.update',
        ip: request.ip,
        requestId: request.id,
        details: { keys: Object.keys(request.body) },
      });
      await app.watcher.check(true);
      return { items: app.settings.list().filter((s) => (USERAPI_KEYS as readonly string[]).includes(s.key)) };
    },
  );

  server.get('/userapi/routes', async () => ({ items: routeTableView(app) }));

  server.patch<{ Params: { operationId: string }; Body: Static<typeof RoutePatch> }>(
    '/userapi/routes/:operationId',
    {
      schema: {
        params: Type.Object({ operationId: Type.String({ pattern: '^[A-Za-z0-9_]{1,100}$' }) }),
        body: RoutePatch,
      },
    },
    async (request) => {
      await updateRoute(app, request.params.operationId, request.body, actor(request));
      return routeTableView(app).find((r) => r.operation_id === request.params.operationId);
    },
  );

  server.post<{ Params: { operationId: string }; Body: Static<typeof NewAlias> }>(
    '/userapi/routes/:operationId/aliases',
    {
      schema: {
        params: Type.Object({ operationId: Type.String({ pattern: '^[A-Za-z0-9_]{1,100}$' }) }),
        body: NewAlias,
      },
    },
    async (request, reply) => {
      const path = await addAlias(app, request.params.operationId, request.body, actor(request));
      return reply.code(201).send(findAliasView(app, path));
    },
  );

  const AliasQuery = Type.Object(
    { path: Type.String({ minLength: 2, maxLength: 200 }) },
    { additionalProperties: false },
  );
  server.get<{ Querystring: { path: string } }>(
    '/userapi/aliases',
    { schema: { querystring: AliasQuery } },
    async (request) => findAliasView(app, request.query.path),
  );
  server.patch<{ Querystring: { path: string }; Body: Static<typeof RoutePatch> }>(
    '/userapi/aliases',
    { schema: { querystring: AliasQuery, body: RoutePatch } },
    async (request) => {
      const path = await updateAlias(app, request.query.path, request.body, actor(request));
      return findAliasView(app, path);
    },
  );
  server.delete<{ Querystring: { path: string } }>(
    '/userapi/aliases',
    { schema: { querystring: AliasQuery } },
    async (request, reply) => {
      await removeAlias(app, request.query.path, actor(request));
      return reply.code(204).send();
    },
  );

  server.get<{ Querystring: Static<typeof LogQuery> }>(
    '/userapi/logs',
    { schema: { querystring: LogQuery } },
    async (request) => {
      const rows = await searchLog(app, filterOf(request.query));
      const limit = request.query.limit ?? 50;
      const clients = await clientsOf(app, rows);
      return {
        items: rows.map((r) => entryView(r, clients)),
        next_before: rows.length === limit ? (rows.at(-1)?.id ?? null) : null,
      };
    },
  );
  server.get<{ Querystring: Static<typeof LogQuery> }>(
    '/userapi/logs.csv',
    { schema: { querystring: LogQuery } },
    async (request, reply) => {
      const rows = await searchLog(app, { ...filterOf(request.query), limit: request.query.limit ?? 1000 });
      reply.header('content-disposition', 'attachment; filename="portico-api-log.csv"');
      return reply.type('text/csv; charset=utf-8').send(toCsv(rows, await clientsOf(app, rows)));
    },
  );
  server.get<{ Params: { id: string } }>(
    '/userapi/logs/:id',
    { schema: { params: Type.Object({ id: Type.String({ pattern: ENTRY_ID_PATTERN }) }) } },
    async (request) => getEntry(app, request.params.id),
  );
}
