import { Type } from '@sinclair/typebox';
import { defineAdminRoute } from '../admin/route.js';
import { NullableString, NullableTimestamp, Timestamp } from '../platform/http/schemas.js';
import { dashboard } from './dashboard.js';

const CurrencyTotal = Type.Object(
  {
    currency: Type.String({ pattern: '^[A-Z]{3}$', examples: ['USD'] }),
    amount_minor: Type.Integer({ description: 'Minor units (cents)' }),
    count: Type.Integer({ description: 'How many payments, services or invoices make the amount' }),
  },
  { additionalProperties: false },
);
const Income = Type.Object(
  {
    from: Timestamp,
    totals: Type.Array(CurrencyTotal, { description: 'By currency: payments received minus refunds' }),
  },
  { additionalProperties: false },
);
const Dashboard = Type.Object(
  {
    as_of: Timestamp,
    income_this_month: Income,
    income_last_month: Income,
    monthly_recurring_revenue: Type.Array(CurrencyTotal, {
      description: 'Active services’ prices per month (a yearly price counts a twelfth), by currency',
    }),
    overdue_invoices: Type.Array(CurrencyTotal, {
      description: 'Unpaid invoices past their due date: count and amount, by currency',
    }),
    services_by_status: Type.Array(
      Type.Object({ status: Type.String(), count: Type.Integer() }, { additionalProperties: false }),
    ),
    failed_jobs: Type.Integer({ description: 'Provisioning jobs that failed and wait for retry or cancel' }),
    paused_servers: Type.Array(
      Type.Object(
        { name: Type.String(), reason: NullableString(), since: NullableTimestamp },
        { additionalProperties: false },
      ),
    ),
    newest_orders: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          status: Type.String(),
          created_at: Timestamp,
          client_id: Type.String(),
          client_name: Type.String(),
          product_name: Type.String(),
          domain: NullableString(),
          service_id: Type.String(),
          invoice_id: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const dashboardAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/dashboard',
    operationId: 'adminGetDashboard',
    category: 'Dashboard',
    summary: 'Get the dashboard',
    description:
      'Income this month and last (payments received, by currency, months in UTC; paying from credit is not counted again, and a refund to credit stays income until the credit is paid out), monthly recurring revenue of active services, overdue invoices, services by status, failed jobs, paused servers and the newest orders.',
    auth: 'admin',
    query: Type.Object(
      {
        orders: Type.Optional(
          Type.Integer({ minimum: 1, maximum: 50, default: 10, description: 'How many of the newest orders (1–50).' }),
        ),
      },
      { additionalProperties: false },
    ),
    response: { status: 200, description: 'The figures.', schema: Dashboard },
    handler: async ({ query }, ctx) => dashboard(ctx.app, { orders: query.orders ?? 10 }),
  }),
];
