import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import { type AnyRouteSpec, pathParams } from '../platform/http/route.js';

export const API_PREFIX = '/api/v1';

/** A route as it is right now: the code's declaration with the admin's overrides applied. */
export interface EffectiveRoute {
  spec: AnyRouteSpec;
  operationId: string;
  enabled: boolean;
  name: string;
  category: string;
  description: string;
  aliases: EffectiveAlias[];
}

export interface EffectiveAlias {
  path: string;
  operationId: string;
  enabled: boolean;
}

interface CompiledAlias extends EffectiveAlias {
  pattern: RegExp;
  method: string;
  /** Canonical path template the alias rewrites to, e.g. `/services/{id}`. */
  target: string;
  params: string[];
}

function compileAlias(alias: EffectiveAlias, spec: AnyRouteSpec): CompiledAlias {
  const params = pathParams(alias.path);
  const source = alias.path
    .split(/\{\w+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('([^/?#]+)');
  return {
    ...alias,
    pattern: new RegExp(`^${API_PREFIX}${source}/?(\\?.*)?$`),
    method: spec.method,
    target: spec.path,
    params,
  };
}

/**
 * The User API's routes as the admin has shaped them: defaults from code, overrides and aliases
 * from the database. Fastify's router is fixed at start-up, so disabling is a check before the
 * handler and an alias is a URL rewrite (Fastify's `rewriteUrl`) to its canonical route; both read
 * this in-memory table, which the ConfigWatcher reloads on every instance when the admin changes it.
 */
export class RouteTable {
  private readonly specs = new Map<string, AnyRouteSpec>();
  private effective = new Map<string, EffectiveRoute>();
  private aliases: CompiledAlias[] = [];

  constructor(specs: AnyRouteSpec[]) {
    for (const spec of specs) {
      if (this.specs.has(spec.operationId)) throw new Error(`duplicate operationId ${spec.operationId}`);
      this.specs.set(spec.operationId, spec);
    }
    this.apply([], []);
  }

  all(): EffectiveRoute[] {
    return [...this.effective.values()];
  }

  get(operationId: string): EffectiveRoute | undefined {
    return this.effective.get(operationId);
  }

  isEnabled(operationId: string): boolean {
    return this.effective.get(operationId)?.enabled ?? false;
  }

  /**
   * Maps a called URL to the canonical route's URL when it matches an enabled alias; otherwise
   * returns it unchanged. Runs before routing, on every request: a linear scan over a handful of
   * aliases is cheaper than anything cleverer.
   */
  rewrite(method: string, url: string): string {
    if (this.aliases.length === 0 || !url.startsWith(API_PREFIX)) return url;
    for (const alias of this.aliases) {
      if (alias.method !== method && !(method === 'HEAD' && alias.method === 'GET')) continue;
      const match = alias.pattern.exec(url);
      if (!match) continue;
      if (!alias.enabled || !this.isEnabled(alias.operationId)) return url;
      let target = alias.target;
      alias.params.forEach((name, i) => {
        target = target.replace(`{${name}}`, match[i + 1] ?? '');
      });
      return `${API_PREFIX}${target}${match[alias.params.length + 1] ?? ''}`;
    }
    return url;
  }

  async reload(db: Kysely<Database>): Promise<void> {
    const [overrides, aliases] = await Promise.all([
      db.selectFrom('route_overrides').selectAll().execute(),
      db.selectFrom('route_aliases').selectAll().execute(),
    ]);
    this.apply(overrides, aliases);
  }

  private apply(overrides: Database['route_overrides'][], aliases: Database['route_aliases'][]): void {
    const byId = new Map(overrides.map((o) => [o.operation_id, o]));
    const next = new Map<string, EffectiveRoute>();
    for (const spec of this.specs.values()) {
      const o = byId.get(spec.operationId);
      next.set(spec.operationId, {
        spec,
        operationId: spec.operationId,
        enabled: o?.enabled === null || o?.enabled === undefined ? true : o.enabled === 1,
        name: o?.name ?? spec.summary,
        category: o?.category ?? spec.category,
        description: o?.description ?? spec.description,
        aliases: [],
      });
    }
    const compiled: CompiledAlias[] = [];
    for (const row of aliases) {
      const route = next.get(row.operation_id);
      if (!route) continue; // an alias of a route that no longer exists in code is ignored
      const alias = { path: row.path, operationId: row.operation_id, enabled: row.enabled === 1 };
      route.aliases.push(alias);
      compiled.push(compileAlias(alias, route.spec));
    }
    this.effective = next;
    this.aliases = compiled;
  }
}
