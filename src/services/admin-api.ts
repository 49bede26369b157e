import { Type } from '@sinclair/typebox';
import { defineAdminRoute } from '../admin/route.js';
import { BillingCycle } from '../catalog/schemas.js';
import {
  Day,
  IdParam,
  NullableString,
  NullableTimestamp,
  StringEnum,
  TextLine,
  Timestamp,
} from '../platform/http/schemas.js';
import { adminServiceDetail, pageAdminServices } from './admin.js';
import { setServicePrice } from './billing.js';
import { SERVICE_STATUSES, Service } from './schemas.js';
import { ADMIN_SERVICE_SORTS } from './store.js';

const dayMs = (day: string | undefined) => (day ? Date.parse(`${day}T00:00:00Z`) : undefined);

const AdminService = Type.Object(
  {
    ...Service.properties,
    client: Type.Object(
      { id: IdParam('client', 'Client id'), name: Type.String(), email: Type.String() },
      { additionalProperties: false },
    ),
    server: Type.Union([
      Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false }),
      Type.Null(),
    ]),
    suspension_reason: NullableString({ description: '`overdue` (billing) or the admin’s reason; null when none' }),
    order_id: NullableString(),
    terminated_at: NullableTimestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false },
);
const AdminServiceDetail = Type.Object(
  {
    ...AdminService.properties,
    next_due_date: NullableString({
      description: 'The next due date as a day in the provider’s time zone (billing.time_zone), or null',
      examples: ['2027-01-31'],
    }),
    invoices: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          number: Type.String(),
          status: Type.String(),
          kind: Type.String(),
          total_minor: Type.Integer(),
          currency: Type.String(),
          issued_at: Timestamp,
          due_at: Timestamp,
        },
        { additionalProperties: false },
      ),
      { description: 'Invoices with a line for this service, newest first (at most 50)' },
    ),
  },
  { additionalProperties: false },
);

/** A service's billing in the Admin API: its own recurring amount and next due date. */
export const serviceBillingAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/services',
    operationId: 'adminListServices',
    category: 'Services',
    summary: 'List services',
    description:
      'Every client’s services. `q` matches part of the domain, panel username or client email in any case; filter by status, product, server, client and next due date (`due_from` ≤ due < `due_before`, days in UTC); `sort` newest (default), oldest, due, -due or domain; page with `limit` and `offset` (`next_offset`).',
    auth: 'admin',
    query: Type.Object(
      {
        q: Type.Optional(
          TextLine({ minLength: 1, maxLength: 200, description: 'Part of the domain, panel username or client email' }),
        ),
        status: Type.Optional(StringEnum(SERVICE_STATUSES)),
        product_id: Type.Optional(IdParam('product', 'Product id')),
        server_id: Type.Optional(IdParam('server', 'Server id')),
        client_id: Type.Optional(IdParam('client', 'Client id')),
        due_from: Type.Optional(Day('Next due on or after this day')),
        due_before: Type.Optional(Day('Next due before this day')),
        sort: Type.Optional(StringEnum(ADMIN_SERVICE_SORTS, { default: 'newest' })),
        limit: Type.Optional(
          Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Items per page (1–100).' }),
        ),
        offset: Type.Optional(
          Type.Integer({
            minimum: 0,
            maximum: 1_000_000,
            default: 0,
            description: 'Items to skip: the `next_offset` of the previous page.',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    response: {
      status: 200,
      description: 'A page of services.',
      schema: Type.Object(
        {
          items: Type.Array(AdminService),
          next_offset: Type.Union([Type.Integer(), Type.Null()], {
            description: 'Pass as `offset` for the next page; null on the last page.',
          }),
        },
        { additionalProperties: false },
      ),
    },
    handler: async ({ query }, ctx) =>
      pageAdminServices(ctx.app, {
        q: query.q,
        status: query.status,
        productId: query.product_id,
        serverId: query.server_id,
        clientId: query.client_id,
        dueFromMs: dayMs(query.due_from),
        dueBeforeMs: dayMs(query.due_before),
        sort: query.sort ?? 'newest',
        limit: query.limit ?? 20,
        offset: query.offset ?? 0,
      }),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/services/{id}',
    operationId: 'adminGetService',
    category: 'Services',
    summary: 'Get a service',
    description:
      'The service with its client, server, panel username, price and cycle, due date and its invoices. Its jobs (the provisioning timeline): `GET /jobs?service_id=…`.',
    auth: 'admin',
    params: Type.Object({ id: IdParam('service', 'Service id') }, { additionalProperties: false }),
    response: { status: 200, description: 'The service.', schema: AdminServiceDetail },
    errors: ['not_found'],
    handler: async ({ params }, ctx) => adminServiceDetail(ctx.app, params.id),
  }),
  defineAdminRoute({
    method: 'PATCH',
    path: '/services/{id}/billing',
    operationId: 'adminUpdateServiceBilling',
    category: 'Billing',
    summary: 'Change a service’s price or due date',
    description:
      'Sets the recurring amount the service renews at (a product price change applies to new orders only) and/or its next due date (a day in the provider’s time zone). Audit-logged with the old and new values. The same as `portico services set-price`.',
    auth: 'admin',
    permission: 'services.billing',
    params: Type.Object({ id: IdParam('service', 'Service id') }, { additionalProperties: false }),
    body: Type.Object(
      {
        amount_minor: Type.Optional(
          Type.Integer({ minimum: 0, description: 'Recurring amount in minor units', examples: [400] }),
        ),
        next_due_at: Type.Optional(
          Type.String({
            pattern: '^\\d{4}-\\d{2}-\\d{2}$',
            description: 'Next due date, YYYY-MM-DD',
            examples: ['2027-01-31'],
          }),
        ),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
    response: {
      status: 200,
      description: 'The service’s billing after the change.',
      schema: Type.Object(
        {
          id: IdParam('service', 'Service id'),
          amount_minor: Type.Integer(),
          currency: Type.String({ examples: ['USD'] }),
          billing_cycle: BillingCycle,
          next_due_at: NullableTimestamp,
        },
        { additionalProperties: false },
      ),
    },
    errors: ['not_found', 'invalid_request'],
    handler: async ({ params, body }, ctx) =>
      setServicePrice(
        ctx.app,
        { type: 'admin', id: ctx.principal.adminId, ip: ctx.ip, requestId: ctx.requestId },
        params.id,
        {
          ...(body.amount_minor !== undefined ? { amountMinor: body.amount_minor } : {}),
          ...(body.next_due_at !== undefined ? { nextDue: body.next_due_at } : {}),
        },
      ),
  }),
];
