import { accountRoutes } from '../account/routes.js';
import { authRoutes, tokenRoutes } from '../auth/routes.js';
import { upgradeRoutes } from '../billing/routes.js';
import { catalogRoutes } from '../catalog/routes.js';
import { clientRoutes } from '../clients/routes.js';
import { hostingRoutes } from '../hosting/routes.js';
import { invoiceRoutes } from '../invoices/routes.js';
import { orderRoutes } from '../orders/routes.js';
import { paymentRoutes } from '../payments/routes.js';
import type { AnyRouteSpec } from '../platform/http/route.js';
import { serviceRoutes } from '../services/routes.js';
import { webhookRoutes } from '../webhooks/routes.js';

/** Every User API route, in the order the docs list them. Add a feature's routes here. */
export const userApiRoutes: AnyRouteSpec[] = [
  ...authRoutes,
  ...tokenRoutes,
  ...accountRoutes,
  ...clientRoutes,
  ...catalogRoutes,
  ...serviceRoutes,
  ...upgradeRoutes,
  ...hostingRoutes,
  ...invoiceRoutes,
  ...paymentRoutes,
  ...orderRoutes,
  ...webhookRoutes,
];
