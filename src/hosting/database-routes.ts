import { Type } from '@sinclair/typebox';
import { IdParam } from '../platform/http/schemas.js';
import { type AnyRouteSpec, defineRoute } from '../userapi/route.js';
import { newDatabasePassword, ownedAccount, queuePanelOp, readPanel, requireDatabase } from './hosting.js';
import { Accepted, HOSTING, ServiceParams } from './schemas.js';

/** The account's databases: list, create (the password shown once) and delete. */
export const databaseRoutes: AnyRouteSpec[] = [
  defineRoute({
    method: 'GET',
    path: '/services/{id}/databases',
    operationId: 'listDatabases',
    category: HOSTING,
    summary: 'List databases',
    description: 'The databases of this hosting account (names are prefixed with the account username).',
    auth: 'client',
    params: ServiceParams,
    errors: ['conflict', 'unavailable'],
    response: {
      status: 200,
      description: 'The databases',
      schema: Type.Object(
        {
          items: Type.Array(
            Type.Object(
              { name: Type.String(), user: Type.String(), type: Type.String() },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    },
    handler: async ({ params }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id);
      const list = await readPanel(ctx.app, service, ctx, (panel, c) => panel.listDatabases(c, service.username));
      return { items: list.map((d) => ({ name: d.name, user: d.dbUser, type: d.type })) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/services/{id}/databases',
    operationId: 'addDatabase',
    category: HOSTING,
    summary: 'Create a database',
    description: 'Creates a MySQL database and its user (202). The generated password is in this response only.',
    auth: 'client',
    idempotent: true,
    params: ServiceParams,
    body: Type.Object(
      {
        name: Type.String({
          pattern: '^[A-Za-z0-9_]{1,20}$',
          description: 'Short name; the server prefixes it with the account username',
          examples: ['shop'],
        }),
        user: Type.String({ pattern: '^[A-Za-z0-9_]{1,20}$', examples: ['shop'] }),
      },
      { additionalProperties: false },
    ),
    errors: ['conflict'],
    response: {
      status: 202,
      description: 'Queued; the database password, shown once',
      schema: Type.Object(
        {
          operation_id: IdParam('job', 'Operation id'),
          database: Type.String(),
          user: Type.String(),
          password: Type.String(),
        },
        { additionalProperties: false },
      ),
    },
    handler: async ({ params, body }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active']);
      const { password, sealed } = newDatabasePassword(ctx.app);
      const queued = await queuePanelOp(
        ctx.app,
        service,
        { kind: 'add_database', database: body.name, dbUser: body.user, passwordSealed: sealed },
        ctx,
      );
      return {
        ...queued,
        database: `${service.username}_${body.name}`,
        user: `${service.username}_${body.user}`,
        password,
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/services/{id}/databases/{name}',
    operationId: 'deleteDatabase',
    category: HOSTING,
    summary: 'Delete a database',
    description:
      'Deletes a database by its full name (as listed). Answers 202; a database the account does not have is a 404.',
    auth: 'client',
    params: Type.Object(
      { id: IdParam('service', 'Service id'), name: Type.String({ pattern: '^[A-Za-z0-9_]{1,63}$' }) },
      { additionalProperties: false },
    ),
    errors: ['conflict', 'unavailable'],
    response: { status: 202, description: 'Queued', schema: Accepted },
    handler: async ({ params }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active']);
      await requireDatabase(ctx.app, service, ctx, params.name);
      return queuePanelOp(ctx.app, service, { kind: 'delete_database', database: params.name }, ctx);
    },
  }),
];
