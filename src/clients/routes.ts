import { Type } from '@sinclair/typebox';
import { PageQuery } from '../platform/http/schemas.js';
import { defineRoute } from '../userapi/route.js';
import { pageCredit, toCreditEntry } from './credit.js';
import { CreditPage } from './schemas.js';

/** The caller's credit ledger in the User API. */
export const clientRoutes = [
  defineRoute({
    method: 'GET',
    path: '/account/credit',
    operationId: 'getAccountCredit',
    category: 'Account',
    summary: 'Get your credit',
    description:
      'Your credit balance and its ledger, newest first: each entry with its amount, reason, the balance after it and the invoice it paid. Page with `limit` and `cursor`.',
    auth: 'client',
    query: Type.Object(PageQuery, { additionalProperties: false }),
    response: { status: 200, description: 'Your balance and a page of the ledger', schema: CreditPage },
    handler: async ({ query }, ctx) =>
      pageCredit(ctx.app, ctx.principal.clientId, { limit: query.limit ?? 20, cursor: query.cursor }, toCreditEntry),
  }),
];
