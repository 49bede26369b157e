import { Type } from '@sinclair/typebox';
import { auditAdminRoutes } from '../audit/admin-api.js';
import { billingRunAdminRoutes } from '../billing/admin-api.js';
import { upgradeAdminRoutes } from '../billing/admin-api-upgrades.js';
import { catalogAdminRoutes } from '../catalog/admin-api.js';
import { clientAdminRoutes } from '../clients/admin-api.js';
import { dashboardAdminRoutes } from '../dashboard/admin-api.js';
import { invoiceAdminRoutes } from '../invoices/admin-api.js';
import { jobAdminRoutes } from '../jobs/admin-api.js';
import { mailAdminRoutes } from '../mail/admin-api.js';
import { billingAdminRoutes } from '../orders/admin-api.js';
import { paymentAdminRoutes } from '../payments/admin-api.js';
import { lifecycleAdminRoutes } from '../provisioning/admin-api.js';
import { serverAdminRoutes } from '../servers/admin-api.js';
import { serviceBillingAdminRoutes } from '../services/admin-api.js';
import { settingsAdminRoutes } from '../settings/admin-api.js';
import { staffAdminRoutes } from '../staff/admin-api.js';
import { userApiAdminRoutes } from '../userapi/admin-api.js';
import { webhookAdminRoutes } from '../webhooks/admin-api.js';
import { buildAdminOpenApiDocument } from './openapi.js';
import { type AdminRouteSpec, defineAdminRoute } from './route.js';
import { sessionAdminRoutes } from './session-api.js';

/** The Admin API's own description, for admins only (it lists every admin operation). */
const openApiRoute = defineAdminRoute({
  method: 'GET',
  path: '/openapi.json',
  operationId: 'adminGetOpenApi',
  category: 'Session',
  summary: 'Get the Admin API’s OpenAPI document',
  description: 'This document: every Admin API operation with its schemas, as OpenAPI 3.1.',
  auth: 'admin',
  response: {
    status: 200,
    description: 'The OpenAPI 3.1 document.',
    schema: Type.Object({ openapi: Type.Literal('3.1.0') }, { additionalProperties: true }),
  },
  handler: async (_input, ctx) => buildAdminOpenApiDocument(ctx.app, adminApiRoutes),
});

/**
 * Every Admin API route, in the order of its OpenAPI document. A feature declares its admin routes
 * in its `admin-api.ts`; this list feeds registration, the document and the security suite.
 */
export const adminApiRoutes: readonly AdminRouteSpec[] = [
  ...sessionAdminRoutes,
  openApiRoute,
  ...dashboardAdminRoutes,
  ...serverAdminRoutes,
  ...clientAdminRoutes,
  ...billingAdminRoutes,
  ...paymentAdminRoutes,
  ...invoiceAdminRoutes,
  ...billingRunAdminRoutes,
  ...jobAdminRoutes,
  ...lifecycleAdminRoutes,
  ...userApiAdminRoutes,
  ...settingsAdminRoutes,
  ...catalogAdminRoutes,
  ...serviceBillingAdminRoutes,
  ...upgradeAdminRoutes,
  ...staffAdminRoutes,
  ...auditAdminRoutes,
  ...mailAdminRoutes,
  ...webhookAdminRoutes,
];
