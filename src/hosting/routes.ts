import type { AnyRouteSpec } from '../platform/http/route.js';
import { accountRoutes } from './account-routes.js';
import { cancellationRoutes } from './cancellation-routes.js';
import { databaseRoutes } from './database-routes.js';
import { domainRoutes } from './domain-routes.js';

/** The client's hosting routes, in the order the API reference lists them. */
export const hostingRoutes: AnyRouteSpec[] = [
  ...accountRoutes,
  ...domainRoutes,
  ...databaseRoutes,
  ...cancellationRoutes,
];
