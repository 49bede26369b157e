import { Type } from '@sinclair/typebox';
import { type AdminRouteContext, defineAdminRoute } from '../admin/route.js';
import { sendClientReset } from '../auth/password-reset.js';
import { PasswordResetSent } from '../auth/schemas.js';
import { PageQuery } from '../platform/http/schemas.js';
import {
  type Actor,
  closeClient,
  pageClients,
  showClient,
  suspendClient,
  unsuspendClient,
  updateClientProfile,
} from './admin.js';
import { adjustCredit, pageCredit, toAdminCreditEntry } from './credit.js';
import {
  AdminCreditPage,
  ClientDetail,
  ClientList,
  ClientListQuery,
  ClientParam,
  ClientPatch,
  ClientView,
  CreditChange,
  CreditChanged,
  ReasonBody,
} from './schemas.js';

/** Clients in the Admin API: the same operations as `portico clients …`. */
const category = 'Clients';

function actorOf(ctx: AdminRouteContext): Actor {
  return { type: 'admin', id: ctx.principal.adminId, ip: ctx.ip, requestId: ctx.requestId };
}

export const clientAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/clients',
    operationId: 'adminListClients',
    category,
    summary: 'List clients',
    description:
      'Clients, newest first (`sort=oldest`: oldest first). `q` matches part of the email or name in any case; filter by `status`; page with `limit` and `cursor`.',
    auth: 'admin',
    query: ClientListQuery,
    response: { status: 200, description: 'A page of clients.', schema: ClientList },
    handler: async ({ query }, ctx) =>
      pageClients(ctx.app, {
        q: query.q,
        status: query.status,
        limit: query.limit ?? 20,
        cursor: query.cursor,
        oldestFirst: query.sort === 'oldest',
      }),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/clients/{id}',
    operationId: 'adminGetClient',
    category,
    summary: 'Get a client',
    description:
      'The profile, status and credit balance, with the number of services by status and of unpaid invoices.',
    auth: 'admin',
    params: ClientParam,
    response: { status: 200, description: 'The client.', schema: ClientDetail },
    errors: ['not_found'],
    handler: async ({ params }, ctx) => showClient(ctx.app, params.id),
  }),
  defineAdminRoute({
    method: 'PATCH',
    path: '/clients/{id}',
    operationId: 'adminUpdateClient',
    category,
    summary: 'Change a client',
    description:
      'Changes the name, email (unused by another client), company, phone, country (ISO 3166-1 alpha-2: it decides the tax rate), address or tax id. Send only the fields to change; null clears an optional one.',
    auth: 'admin',
    permission: 'clients',
    params: ClientParam,
    body: ClientPatch,
    response: { status: 200, description: 'The client after the change.', schema: ClientView },
    errors: ['not_found', 'conflict'],
    handler: async ({ params, body }, ctx) => updateClientProfile(ctx.app, params.id, body, actorOf(ctx)),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/clients/{id}/suspend',
    operationId: 'adminSuspendClient',
    category,
    summary: 'Suspend a client',
    description:
      'The client can no longer use the User API with any credential until unsuspended. Its services keep running.',
    auth: 'admin',
    permission: 'clients',
    params: ClientParam,
    body: ReasonBody,
    response: { status: 200, description: 'The client.', schema: ClientView },
    errors: ['not_found', 'conflict'],
    handler: async ({ params, body }, ctx) => suspendClient(ctx.app, params.id, body?.reason, actorOf(ctx)),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/clients/{id}/unsuspend',
    operationId: 'adminUnsuspendClient',
    category,
    summary: 'Unsuspend a client',
    description: 'The client can use the User API again.',
    auth: 'admin',
    permission: 'clients',
    params: ClientParam,
    response: { status: 200, description: 'The client.', schema: ClientView },
    errors: ['not_found', 'conflict'],
    handler: async ({ params }, ctx) => unsuspendClient(ctx.app, params.id, actorOf(ctx)),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/clients/{id}/close',
    operationId: 'adminCloseClient',
    category,
    summary: 'Close a client',
    description:
      'Final: the client can no longer log in and its login sessions end. Refused while the client has active or suspended services (terminate them first).',
    auth: 'admin',
    permission: 'clients',
    params: ClientParam,
    response: { status: 200, description: 'The client.', schema: ClientView },
    errors: ['not_found', 'conflict'],
    handler: async ({ params }, ctx) => closeClient(ctx.app, params.id, actorOf(ctx)),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/clients/{id}/password-reset',
    operationId: 'adminSendClientPasswordReset',
    category,
    summary: 'Email a client a password reset code',
    description:
      'The email the client gets when they ask for a reset themselves (`POST /api/v1/auth/password-reset`): a code valid 30 minutes and usable once (it replaces any earlier one). Using it ends all their sessions and API tokens. Queued like every email (sent once email.smtp_url is set up). Refused (409) for a suspended, closed or demo client. Audited with your name.',
    auth: 'admin',
    permission: 'clients',
    params: ClientParam,
    response: { status: 202, description: 'The email is queued.', schema: PasswordResetSent },
    errors: ['not_found', 'conflict'],
    handler: async ({ params }, ctx) => {
      const sent = await sendClientReset(ctx.app, actorOf(ctx), params.id);
      return { to: sent.to, expires_at: new Date(sent.expiresAtMs).toISOString() };
    },
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/clients/{id}/credit',
    operationId: 'adminGetClientCredit',
    category,
    summary: 'Get a client’s credit',
    description: 'The balance and the credit ledger, newest first, each entry with the balance after it.',
    auth: 'admin',
    params: ClientParam,
    query: Type.Object(PageQuery, { additionalProperties: false }),
    response: { status: 200, description: 'The balance and a page of the ledger.', schema: AdminCreditPage },
    errors: ['not_found'],
    handler: async ({ params, query }, ctx) =>
      pageCredit(ctx.app, params.id, { limit: query.limit ?? 20, cursor: query.cursor }, toAdminCreditEntry),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/clients/{id}/credit',
    operationId: 'adminChangeClientCredit',
    category,
    summary: 'Add or remove credit',
    description:
      'Adds (positive `amount_minor`) or removes (negative) credit in the client’s currency, with a reason. Removing more than the balance is refused (409) with the balance.',
    auth: 'admin',
    permission: 'credit',
    params: ClientParam,
    body: CreditChange,
    response: { status: 201, description: 'The ledger entry and the new balance.', schema: CreditChanged },
    errors: ['not_found', 'conflict'],
    handler: async ({ params, body }, ctx) =>
      adjustCredit(ctx.app, params.id, { amountMinor: body.amount_minor, reason: body.reason }, actorOf(ctx)),
  }),
];
