import { Type } from '@sinclair/typebox';
import { NullableString, StringEnum, TextBlock } from '../platform/http/schemas.js';
import { type AnyRouteSpec, defineRoute } from '../userapi/route.js';
import { ownedAccount, requestCancellation, withdrawCancellation } from './hosting.js';
import { HOSTING, ServiceParams } from './schemas.js';

/** Ending a service: at the end of its period (withdrawable) or at once. */
export const cancellationRoutes: AnyRouteSpec[] = [
  defineRoute({
    method: 'POST',
    path: '/services/{id}/cancellation',
    operationId: 'requestCancellation',
    category: HOSTING,
    summary: 'Cancel the service',
    description:
      '`end_of_period`: the service runs until its next due date, then ends (withdraw with DELETE). `immediate`: the hosting account is removed now (202 with the operation) — its files, mail and databases are deleted.',
    auth: 'client',
    idempotent: true,
    params: ServiceParams,
    body: Type.Object(
      {
        type: StringEnum(['end_of_period', 'immediate']),
        reason: Type.Optional(TextBlock({ maxLength: 1000 })),
      },
      { additionalProperties: false },
    ),
    errors: ['conflict'],
    response: {
      status: 202,
      description: 'Recorded (and, for immediate, the removal queued)',
      schema: Type.Object(
        { type: Type.String(), requested_at: Type.String(), operation_id: NullableString() },
        { additionalProperties: false },
      ),
    },
    handler: async ({ params, body }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active', 'suspended']);
      return requestCancellation(ctx.app, service, { type: body.type, reason: body.reason ?? null }, ctx);
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/services/{id}/cancellation',
    operationId: 'withdrawCancellation',
    category: HOSTING,
    summary: 'Withdraw a cancellation',
    description:
      'Withdraws an end-of-period cancellation before it takes effect. An immediate cancellation cannot be withdrawn.',
    auth: 'client',
    params: ServiceParams,
    errors: ['conflict'],
    response: { status: 204, description: 'Withdrawn' },
    handler: async ({ params }, ctx) => {
      const service = await ownedAccount(ctx.app, ctx.principal.clientId, params.id, ['active', 'suspended']);
      await withdrawCancellation(ctx.app, service);
      return undefined;
    },
  }),
];
