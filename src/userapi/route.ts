import type { AppContext } from '../app-context.js';
import type { Principal } from '../auth/principal.js';
import { type RouteContext as Context, routeDefiner } from '../platform/http/route.js';

/**
 * The User API's route contract: handlers get the application context, and on `client` routes the
 * authenticated client. Declare a route with `defineRoute({...})` in its feature's `routes.ts`.
 */
export type UserApiAuth = 'none' | 'client';
interface UserApiCallers {
  none: undefined;
  client: Principal;
}

export type RouteContext<A extends UserApiAuth = UserApiAuth> = Context<AppContext, UserApiCallers[A]>;

export const defineRoute = routeDefiner<AppContext, UserApiCallers>();
export type { AnyRouteSpec } from '../platform/http/route.js';
