import type { AppContext } from '../app-context.js';
import { type RouteContext as Context, routeDefiner } from '../platform/http/route.js';
import type { AdminPrincipal } from './principal.js';

/**
 * The Admin API's route contract, the same as the User API's: handlers get the application
 * context, and on `admin` routes the authenticated admin. `none` is logging in (the address
 * allowlist still applies). Declare a route with `defineAdminRoute({...})` in the feature's
 * `admin-api.ts` and add the feature's list to src/admin/routes.ts.
 */
export type AdminAuth = 'none' | 'admin';
interface AdminCallers {
  none: undefined;
  admin: AdminPrincipal;
}

export type AdminRouteContext<A extends AdminAuth = 'admin'> = Context<AppContext, AdminCallers[A]>;

export const defineAdminRoute = routeDefiner<AppContext, AdminCallers>();

/** Who did it, for the audit log and the logic functions that take an actor. */
export function adminActor(ctx: AdminRouteContext) {
  return { type: 'admin' as const, id: ctx.principal.adminId, ip: ctx.ip };
}
