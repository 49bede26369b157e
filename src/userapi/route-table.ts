import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import { type AnyRouteSpec, pathParams } from '../platform/http/route.js';
import { listRouteAliases, listRouteOverrides } from './route-store.js';

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

/**
 * An alias: the route under another path, as a route entry of its own. It is enabled on its own
 * (it answers while the original is disabled, which is how a route is moved), and has its own
 * docs name, category and description, each defaulting to the original's.
 */
export interface EffectiveAlias {
  path: string;
  /** Its own OpenAPI operation id (aliasOperationId). */
  operationId: string;
  /** The original route's operation id: what the handler, rate limit and request log know. */
  target: string;
  enabled: boolean;
  name: string;
  category: string;
  description: string;
  /** The admin's own values (null: the original's), as stored. */
  own: { name: string | null; category: string | null; description: string | null };
}

interface CompiledAlias {
  alias: EffectiveAlias;
  pattern: RegExp;
  method: string;
  /** Canonical path template the alias rewrites to, e.g. `/services/{id}`. */
  target: string;
  params: string[];
}

function compileAlias(alias: EffectiveAlias, spec: AnyRouteSpec): CompiledAlias {
  const source = alias.path
    .split(/\{\w+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('([^/?#]+)');
  return {
    alias,
    pattern: new RegExp(`^${API_PREFIX}${source}/?(\\?.*)?$`),
    method: spec.method,
    target: spec.path,
    params: pathParams(alias.path),
  };
}

const words = (text: string) => text.split(/[^A-Za-z0-9]+/).filter(Boolean);
const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * An alias's OpenAPI operation id: from the name the admin gave it (`List cloud servers` →
 * `listCloudServers`), else from its method and path (`GET /cloud/{id}` → `getCloudById`).
 * `taken` holds the ids already used; a clash falls back to the path, then to a number.
 */
export function aliasOperationId(
  input: { method: string; path: string; ownName: string | null },
  taken: Set<string>,
): string {
  const fromPath =
    input.method.toLowerCase() +
    input.path
      .split('/')
      .filter(Boolean)
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment);
        return param ? `By${capital(param[1]!)}` : words(segment).map(capital).join('');
      })
      .join('');
  const named = input.ownName ? words(input.ownName).map(capital).join('') : '';
  const fromName = /^[A-Za-z]/.test(named) ? named.charAt(0).toLowerCase() + named.slice(1) : '';
  for (const candidate of [fromName, fromPath]) if (candidate && !taken.has(candidate)) return candidate;
  let n = 2;
  while (taken.has(`${fromPath}${n}`)) n += 1;
  return `${fromPath}${n}`;
}

/**
 * The User API's routes as the admin has shaped them: defaults from code, overrides and aliases
 * from the database. Fastify's router is fixed at start-up, so disabling is a check before the
 * handler and an alias is a URL rewrite (Fastify's `rewriteUrl`) to its canonical route, whose
 * guard then checks the alias's own flag instead of the route's; both read this in-memory table,
 * which the ConfigWatcher reloads on every instance when the admin changes it.
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

  /** The alias at this path (as stored, without the /api/v1 prefix), enabled or not. */
  alias(path: string): EffectiveAlias | undefined {
    return this.aliases.find((a) => a.alias.path === path)?.alias;
  }

  /**
   * The enabled alias a called URL (with its /api/v1 prefix) goes to, with the canonical route's
   * URL. Runs before routing, on every request: a linear scan over a handful of aliases is
   * cheaper than anything cleverer.
   */
  match(method: string, url: string): { alias: EffectiveAlias; url: string } | undefined {
    if (this.aliases.length === 0 || !url.startsWith(API_PREFIX)) return undefined;
    for (const compiled of this.aliases) {
      if (compiled.method !== method && !(method === 'HEAD' && compiled.method === 'GET')) continue;
      const found = compiled.pattern.exec(url);
      if (!found) continue;
      if (!compiled.alias.enabled) return undefined;
      let target = compiled.target;
      compiled.params.forEach((name, i) => {
        target = target.replace(`{${name}}`, found[i + 1] ?? '');
      });
      return { alias: compiled.alias, url: `${API_PREFIX}${target}${found[compiled.params.length + 1] ?? ''}` };
    }
    return undefined;
  }

  /** Maps a called URL to the canonical route's URL when it is an enabled alias; otherwise returns it unchanged. */
  rewrite(method: string, url: string): string {
    return this.match(method, url)?.url ?? url;
  }

  async reload(db: Kysely<Database>): Promise<void> {
    const [overrides, aliases] = await Promise.all([listRouteOverrides(db), listRouteAliases(db)]);
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
    const taken = new Set(next.keys());
    const compiled: CompiledAlias[] = [];
    for (const row of aliases) {
      const route = next.get(row.operation_id);
      if (!route) continue; // an alias of a route that no longer exists in code is ignored
      const operationId = aliasOperationId({ method: route.spec.method, path: row.path, ownName: row.name }, taken);
      taken.add(operationId);
      const alias: EffectiveAlias = {
        path: row.path,
        operationId,
        target: route.operationId,
        enabled: row.enabled === 1,
        name: row.name ?? route.name,
        category: row.category ?? route.category,
        description: row.description ?? route.description,
        own: { name: row.name, category: row.category, description: row.description },
      };
      route.aliases.push(alias);
      compiled.push(compileAlias(alias, route.spec));
    }
    this.effective = next;
    this.aliases = compiled;
  }
}
