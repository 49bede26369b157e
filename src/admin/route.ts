import type { TSchema } from '@sinclair/typebox';
import type { AppContext } from '../app-context.js';
import type { AnyRouteSpec, RouteContext as Context, HttpMethod, RouteSpec } from '../platform/http/route.js';
import type { Permission } from '../staff/roles.js';
import type { AdminPrincipal } from './principal.js';

/**
 * The Admin API's route contract, the same as the User API's plus the permission the route needs
 * (src/staff/roles.ts): handlers get the application context, and on `admin` routes the
 * authenticated admin. `none` is logging in (the address allowlist still applies). Declare a route
 * with `defineAdminRoute({...})` in the feature's `admin-api.ts` and add the feature's list to
 * src/admin/routes.ts.
 */
export type AdminAuth = 'none' | 'admin';
interface AdminCallers {
  none: undefined;
  admin: AdminPrincipal;
}

export type AdminRouteContext<A extends AdminAuth = 'admin'> = Context<AppContext, AdminCallers[A]>;

/**
 * What a route needs of the caller's role. A GET needs `read` (every role) unless it declares
 * more; every other method must name its permission, so a new change is never open to all roles
 * by accident.
 */
type Access =
  | { method: 'GET'; permission?: Permission }
  | { method: Exclude<HttpMethod, 'GET'>; permission: Permission };

export type AdminRouteSpec = AnyRouteSpec & { permission?: Permission };

export function defineAdminRoute<
  P extends TSchema | undefined = undefined,
  Q extends TSchema | undefined = undefined,
  B extends TSchema | undefined = undefined,
  R extends TSchema | undefined = undefined,
  A extends AdminAuth = AdminAuth,
>(spec: RouteSpec<P, Q, B, R, A, AdminRouteContext<A>> & Access): AdminRouteSpec {
  return spec as AdminRouteSpec;
}

/** The permission a route needs: its declaration, or `read` for a GET. */
export function routePermission(spec: AdminRouteSpec): Permission {
  return spec.permission ?? 'read';
}

/** Who did it, for the audit log and the logic functions that take an actor. */
export function adminActor(ctx: AdminRouteContext) {
  return { type: 'admin' as const, id: ctx.principal.adminId, ip: ctx.ip };
}
