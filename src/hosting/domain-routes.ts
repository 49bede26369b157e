import { Type } from '@sinclair/typebox';
import { IdParam, TextLine } from '../platform/http/schemas.js';
import { type AnyRouteSpec, defineRoute } from '../userapi/route.js';
import { checkDomain, DOMAIN_KINDS, ownedAccount, queuePanelOp, readPanel, requireDomain } from './hosting.js';
import { Accepted, HOSTING, ServiceParams } from './schemas.js';

/** List, add and remove for each domain family of the account: websites, DNS zones, mail domains. */
export const domainRoutes: AnyRouteSpec[] = DOMAIN_KINDS.flatMap(({ kind, path, label }) => [
  defineRoute({
    method: 'GET',
    path: `/services/{id}/${path}`,
    operationId: `list${kind[0]!.toUpperCase()}${kind.slice(1)}Domains`,
    category: HOSTING,
    summary: `List ${label}`,
    description: `The ${label} of this hosting account, read from the server.`,
    auth: 'client',
    params: ServiceParams,
    errors: ['conflict', 'unavailable'],
    response: {
      status: 200,
      description: `The ${label}`,
      schema: Type.Object(
        {
          items: Type.Array(
            Type.Object({ domain: Type.String(), suspended: Type.Boolean() }, { additionalProperties: false }),
          ),
        },
        { additionalProperties: false },
      ),
    },
    handler: async ({ params }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id);
      const list = await readPanel(ctx.app, service, ctx, (panel, c) => panel.listDomains(c, kind, service.username));
      return { items: list.map((d) => ({ domain: d.domain, suspended: d.suspended })) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `/services/{id}/${path}`,
    operationId: `add${kind[0]!.toUpperCase()}${kind.slice(1)}Domain`,
    category: HOSTING,
    summary: `Add to ${label}`,
    description: `Adds a domain to this account's ${label}. Answers 202: the server is changed in the background.`,
    auth: 'client',
    idempotent: true,
    params: ServiceParams,
    body: Type.Object(
      { domain: TextLine({ minLength: 3, maxLength: 253, examples: ['blog.example.com'] }) },
      { additionalProperties: false },
    ),
    errors: ['conflict'],
    response: { status: 202, description: 'Queued', schema: Accepted },
    handler: async ({ params, body }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active']);
      return queuePanelOp(
        ctx.app,
        service,
        { kind: 'add_domain', domainKind: kind, domain: checkDomain(body.domain) },
        ctx,
      );
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `/services/{id}/${path}/{domain}`,
    operationId: `delete${kind[0]!.toUpperCase()}${kind.slice(1)}Domain`,
    category: HOSTING,
    summary: `Remove from ${label}`,
    description: `Removes a domain from this account's ${label}. Answers 202; a domain the account does not have is a 404.`,
    auth: 'client',
    params: Type.Object(
      { id: IdParam('service', 'Service id'), domain: TextLine({ minLength: 3, maxLength: 253 }) },
      { additionalProperties: false },
    ),
    errors: ['conflict', 'unavailable'],
    response: { status: 202, description: 'Queued', schema: Accepted },
    handler: async ({ params }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active']);
      const domain = checkDomain(params.domain);
      await requireDomain(ctx.app, service, ctx, kind, domain);
      return queuePanelOp(ctx.app, service, { kind: 'delete_domain', domainKind: kind, domain }, ctx);
    },
  }),
]);
