import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { checkText, iso } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { panelFor } from '../servers/servers.js';
import { listServerRows } from '../servers/store.js';
import { parseFeatures } from './catalog.js';
import { BILLING_CYCLES } from './schemas.js';
import {
  type CategoryRow,
  findCategoryByRef,
  findCategoryBySlug,
  findProductByRef,
  findProductBySlug,
  insertCategory,
  insertProduct,
  listAllCategories,
  listAllProducts,
  listPrices,
  type PriceRow,
  type ProductRow,
  updateCategoryRow,
  updateProductRow,
} from './store.js';

/**
 * Catalog management for admins (the Admin API and `portico categories|products`): categories,
 * products and their prices, each change audit-logged with who made it and what changed.
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'logger' | 'secrets'>;

/** Who makes the change: an admin (with the request it came in) or the shell. */
export interface Actor {
  type: 'admin' | 'cli';
  id: string | null;
  ip?: string | null;
  requestId?: string | null;
}

type Cycle = (typeof BILLING_CYCLES)[number];

export interface PriceInput {
  billing_cycle: Cycle;
  currency: string;
  amount_minor: number;
  setup_fee_minor?: number;
}

export interface FeaturesInput {
  web_domain?: boolean;
  dns_zone?: boolean;
  mail_domain?: boolean;
}

/** `"Web Hosting!"` → `web-hosting`. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

function slugOf(name: string, given: string | undefined, field: string): string {
  const slug = given ?? slugify(name);
  if (!slug) {
    throw new AppError('invalid_request', `Cannot make a slug from the name "${name}": give one with ${field}.`, {
      errors: [{ field, message: 'give a slug of letters, digits and dashes, e.g. web-hosting' }],
    });
  }
  return slug;
}

function slugTaken(kind: string, slug: string, field: string): AppError {
  return new AppError('conflict', `A ${kind} with the slug "${slug}" already exists: choose another slug.`, {
    errors: [{ field, message: 'already used' }],
  });
}

async function auditChange(
  deps: Deps,
  actor: Actor,
  action: string,
  target: { type: string; id: string },
  details: Record<string, unknown>,
  db = deps.db.kysely,
) {
  await audit(db, deps.clock.nowMs(), {
    actorType: actor.type,
    actorId: actor.id,
    action,
    targetType: target.type,
    targetId: target.id,
    ip: actor.ip ?? null,
    requestId: actor.requestId ?? null,
    details,
  });
}

/** Old and new value of every field that changed. */
function diff<T extends object>(before: T, after: Partial<T>): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [key, value] of Object.entries(after) as [keyof T & string, unknown][]) {
    if (value !== undefined && before[key] !== value) changes[key] = { from: before[key], to: value };
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------
// Categories

export function categoryView(row: CategoryRow) {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    sort_order: row.sort_order,
    hidden: row.hidden === 1,
  };
}

export async function listCategoriesForAdmin(deps: Pick<AppContext, 'db'>) {
  return (await listAllCategories(deps.db.kysely)).map(categoryView);
}

/** A category by id, slug or name (what an operator types). */
export async function resolveCategory(
  deps: Pick<AppContext, 'db'>,
  ref: string,
  field = 'category',
): Promise<CategoryRow> {
  const row = await findCategoryByRef(deps.db.kysely, ref);
  if (!row) {
    throw new AppError(
      'not_found',
      `The category "${ref}" was not found: give its id, slug or name (\`portico categories list\`).`,
      { errors: [{ field, message: 'no such category' }] },
    );
  }
  return row;
}

export interface CategoryInput {
  name: string;
  slug?: string;
  description?: string;
  sort_order?: number;
  hidden?: boolean;
}

export async function createCategory(deps: Deps, actor: Actor, input: CategoryInput) {
  checkText(input.name, 'name');
  const slug = slugOf(input.name, input.slug, 'slug');
  if (await findCategoryBySlug(deps.db.kysely, slug)) throw slugTaken('category', slug, 'slug');
  const row: CategoryRow = {
    id: newId('category', deps.clock.nowMs()),
    slug,
    name: input.name,
    description: input.description ?? '',
    sort_order: input.sort_order ?? 0,
    hidden: input.hidden ? 1 : 0,
  };
  await insertCategory(deps.db.kysely, row);
  await auditChange(deps, actor, 'category.create', { type: 'category', id: row.id }, { ...categoryView(row) });
  return categoryView(row);
}

export async function updateCategory(deps: Deps, actor: Actor, ref: string, input: Partial<CategoryInput>) {
  const row = await resolveCategory(deps, ref, 'id');
  if (input.name !== undefined) checkText(input.name, 'name');
  if (input.slug !== undefined && input.slug !== row.slug) {
    if (await findCategoryBySlug(deps.db.kysely, input.slug)) throw slugTaken('category', input.slug, 'slug');
  }
  const after: Partial<CategoryRow> = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.slug !== undefined ? { slug: input.slug } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.sort_order !== undefined ? { sort_order: input.sort_order } : {}),
    ...(input.hidden !== undefined ? { hidden: input.hidden ? 1 : 0 } : {}),
  };
  const changes = diff(row, after);
  await updateCategoryRow(deps.db.kysely, row.id, after);
  if (Object.keys(changes).length) {
    await auditChange(deps, actor, 'category.update', { type: 'category', id: row.id }, { changes });
  }
  return categoryView({ ...row, ...after });
}

// ---------------------------------------------------------------------------------------------
// Products

export function productView(row: ProductRow, prices: PriceRow[]) {
  const features = parseFeatures(row.features);
  return {
    id: row.id,
    category_id: row.category_id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    module: row.module,
    panel_package: row.panel_package,
    server_group: row.server_group,
    features: { web_domain: features.webDomain, dns_zone: features.dnsZone, mail_domain: features.mailDomain },
    enabled: row.enabled === 1,
    hidden: row.hidden === 1,
    sort_order: row.sort_order,
    prices: prices
      .filter((p) => p.product_id === row.id)
      .sort((a, b) => a.currency.localeCompare(b.currency) || cycleOrder(a.billing_cycle) - cycleOrder(b.billing_cycle))
      .map((p) => ({
        billing_cycle: p.billing_cycle,
        currency: p.currency,
        amount_minor: p.amount_minor,
        setup_fee_minor: p.setup_fee_minor,
      })),
    created_at: iso(row.created_at_ms),
    updated_at: iso(row.updated_at_ms),
  };
}
export type ProductView = ReturnType<typeof productView>;

const cycleOrder = (cycle: Cycle) => BILLING_CYCLES.indexOf(cycle);

export async function listProductsForAdmin(deps: Pick<AppContext, 'db'>): Promise<ProductView[]> {
  const rows = await listAllProducts(deps.db.kysely);
  const prices = await listPrices(
    deps.db.kysely,
    rows.map((r) => r.id),
  );
  return rows.map((row) => productView(row, prices));
}

/** A product by id or slug. */
export async function resolveProduct(deps: Pick<AppContext, 'db'>, ref: string): Promise<ProductRow> {
  const row = await findProductByRef(deps.db.kysely, ref);
  if (!row) {
    throw new AppError(
      'not_found',
      `The product "${ref}" was not found: give its id or slug (\`portico products list\`).`,
      { errors: [{ field: 'id', message: 'no such product' }] },
    );
  }
  return row;
}

export async function getProductForAdmin(deps: Pick<AppContext, 'db'>, ref: string): Promise<ProductView> {
  const row = await resolveProduct(deps, ref);
  return productView(row, await listPrices(deps.db.kysely, [row.id]));
}

/** One price per cycle and currency, none negative: what product_prices can hold. */
function checkPrices(productId: string, prices: PriceInput[], field = 'prices'): PriceRow[] {
  const seen = new Set<string>();
  return prices.map((p, i) => {
    const key = `${p.billing_cycle}/${p.currency}`;
    if (seen.has(key)) {
      throw new AppError(
        'invalid_request',
        `The ${p.billing_cycle} price in ${p.currency} is given twice: give it once.`,
        {
          errors: [{ field: `${field}.${i}`, message: `duplicate ${p.billing_cycle} price in ${p.currency}` }],
        },
      );
    }
    seen.add(key);
    for (const [name, value] of [
      ['amount_minor', p.amount_minor],
      ['setup_fee_minor', p.setup_fee_minor ?? 0],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new AppError('invalid_request', `The ${p.billing_cycle} ${name} must be a whole number of at least 0.`, {
          errors: [{ field: `${field}.${i}.${name}`, message: 'must be an integer ≥ 0 (minor units)' }],
        });
      }
    }
    return {
      product_id: productId,
      billing_cycle: p.billing_cycle,
      currency: p.currency,
      amount_minor: p.amount_minor,
      setup_fee_minor: p.setup_fee_minor ?? 0,
    };
  });
}

function featuresJson(current: string | undefined, input: FeaturesInput | undefined): string {
  const base = current ? parseFeatures(current) : { webDomain: false, dnsZone: false, mailDomain: false };
  return JSON.stringify({
    webDomain: input?.web_domain ?? base.webDomain,
    dnsZone: input?.dns_zone ?? base.dnsZone,
    mailDomain: input?.mail_domain ?? base.mailDomain,
  });
}

export interface ProductInput {
  name: string;
  category_id: string;
  panel_package: string;
  prices: PriceInput[];
  slug?: string;
  description?: string;
  server_group?: string;
  features?: FeaturesInput;
  enabled?: boolean;
  hidden?: boolean;
  sort_order?: number;
  skip_package_check?: boolean;
}

export interface SavedProduct {
  product: ProductView;
  /** What the package check could not confirm (no servers in the group, the check skipped). */
  warnings: string[];
}

export async function createProduct(deps: Deps, actor: Actor, input: ProductInput): Promise<SavedProduct> {
  checkText(input.name, 'name');
  const category = await resolveCategory(deps, input.category_id, 'category_id');
  const slug = slugOf(input.name, input.slug, 'slug');
  if (await findProductBySlug(deps.db.kysely, slug)) throw slugTaken('product', slug, 'slug');
  const group = input.server_group ?? 'default';
  const now = deps.clock.nowMs();
  const id = newId('product', now);
  const prices = checkPrices(id, input.prices);
  const warnings = await packageCheck(deps, input.panel_package, group, input.skip_package_check ?? false);
  const row: ProductRow = {
    id,
    category_id: category.id,
    slug,
    name: input.name,
    description: input.description ?? '',
    module: 'hestia',
    panel_package: input.panel_package,
    server_group: group,
    features: featuresJson(undefined, input.features),
    enabled: input.enabled === false ? 0 : 1,
    hidden: input.hidden ? 1 : 0,
    sort_order: input.sort_order ?? 0,
    created_at_ms: now,
    updated_at_ms: now,
  };
  await insertProduct(deps.db.kysely, row, prices);
  const product = productView(row, prices);
  await auditChange(deps, actor, 'product.create', { type: 'product', id }, { ...product, warnings });
  return { product, warnings };
}

/**
 * Changes a product. `prices`, when given, is the full list and replaces the old one; prices apply
 * to new orders only: existing services keep their own recurring amount.
 */
export async function updateProduct(
  deps: Deps,
  actor: Actor,
  ref: string,
  input: Partial<ProductInput>,
): Promise<SavedProduct> {
  const row = await resolveProduct(deps, ref);
  if (input.name !== undefined) checkText(input.name, 'name');
  const category = input.category_id ? await resolveCategory(deps, input.category_id, 'category_id') : undefined;
  if (input.slug !== undefined && input.slug !== row.slug) {
    if (await findProductBySlug(deps.db.kysely, input.slug)) throw slugTaken('product', input.slug, 'slug');
  }
  const pkg = input.panel_package ?? row.panel_package;
  const group = input.server_group ?? row.server_group;
  const recheck = pkg !== row.panel_package || group !== row.server_group || (input.enabled === true && !row.enabled);
  const prices = input.prices ? checkPrices(row.id, input.prices) : undefined;
  const warnings = recheck ? await packageCheck(deps, pkg, group, input.skip_package_check ?? false) : [];
  const after: Partial<ProductRow> = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(category ? { category_id: category.id } : {}),
    ...(input.slug !== undefined ? { slug: input.slug } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.panel_package !== undefined ? { panel_package: input.panel_package } : {}),
    ...(input.server_group !== undefined ? { server_group: input.server_group } : {}),
    ...(input.features !== undefined ? { features: featuresJson(row.features, input.features) } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
    ...(input.hidden !== undefined ? { hidden: input.hidden ? 1 : 0 } : {}),
    ...(input.sort_order !== undefined ? { sort_order: input.sort_order } : {}),
  };
  const changes: Record<string, unknown> = diff(row, after);
  const oldPrices = await listPrices(deps.db.kysely, [row.id]);
  const now = deps.clock.nowMs();
  await deps.db.kysely.transaction().execute(async (trx) => {
    await updateProductRow(trx, row.id, { ...after, updated_at_ms: now }, prices);
    if (prices) {
      const show = (list: PriceRow[]) => productView(row, list).prices;
      changes.prices = { from: show(oldPrices), to: show(prices) };
    }
    if (Object.keys(changes).length) {
      await auditChange(deps, actor, 'product.update', { type: 'product', id: row.id }, { changes, warnings }, trx);
    }
  });
  const product = productView({ ...row, ...after, updated_at_ms: now }, prices ?? oldPrices);
  return { product, warnings };
}

// ---------------------------------------------------------------------------------------------
// The package check

/**
 * That the package exists on every enabled server of the group, asked of each panel. Refuses with
 * the servers that lack it (or could not be asked) and what to do; `skip` saves anyway with a
 * warning. A group without servers is not an error: the warning says so.
 */
export async function packageCheck(deps: Deps, pkg: string, group: string, skip: boolean): Promise<string[]> {
  if (skip) {
    return [
      `The package check was skipped: make sure package "${pkg}" exists on every server of group "${group}" before clients order.`,
    ];
  }
  const servers = (await listServerRows(deps.db.kysely)).filter((s) => s.server_group === group && s.enabled === 1);
  if (servers.length === 0) {
    return [
      `Group "${group}" has no enabled servers yet: orders will wait until one is added (\`portico server add --group ${group}\`) with package "${pkg}".`,
    ];
  }
  const problems = packageProblems(pkg, await listPanelPackages(deps, servers));
  if (problems.length === 0) return [];
  throw new AppError(
    'invalid_request',
    `Package "${pkg}" is not confirmed on group "${group}": ${problems.join('; ')}. Create the package in HestiaCP under Packages on those servers (or check that they can be reached with \`portico server check\`), or save anyway with --skip-package-check (skip_package_check: true).`,
    { errors: [{ field: 'panel_package', message: `not confirmed on: ${problems.join('; ')}` }] },
  );
}

type ServerRowLike = Awaited<ReturnType<typeof listServerRows>>[number];

/** What each server's panel lists as its packages, or why it could not be asked; one call per server. */
async function listPanelPackages(
  deps: Deps,
  servers: ServerRowLike[],
): Promise<Map<string, { packages: string[] } | { error: string }>> {
  const ctx = { correlationId: newId('request', deps.clock.nowMs()) };
  const answers = new Map<string, { packages: string[] } | { error: string }>();
  await Promise.all(
    servers.map(async (server) => {
      const { client, panel } = panelFor(deps, server, { timeouts: { connectMs: 5_000, listMs: 10_000 } });
      try {
        const listed = await panel.listPackages(ctx);
        answers.set(
          server.name,
          listed.ok ? { packages: listed.value.map((p) => p.name) } : { error: listed.error.message },
        );
      } catch (error) {
        answers.set(server.name, { error: (error as Error).message });
      } finally {
        await client.close();
      }
    }),
  );
  return answers;
}

/** Each server that lacks the package or could not be asked, in the words of the package check. */
function packageProblems(pkg: string, answers: Map<string, { packages: string[] } | { error: string }>): string[] {
  const problems: string[] = [];
  for (const [name, answer] of answers) {
    if ('error' in answer) problems.push(`server ${name} could not be asked: ${answer.error}`);
    else if (!answer.packages.includes(pkg))
      problems.push(`server ${name} lacks it (it has: ${answer.packages.join(', ') || 'none'})`);
  }
  return problems.sort();
}

export interface PackageReport {
  product_id: string;
  panel_package: string;
  server_group: string;
  /** confirmed: on every enabled server of the group; missing: some lack it or could not be asked; no_servers: the group has none. */
  status: 'confirmed' | 'missing' | 'no_servers';
  servers: string[];
  problems: string[];
}

/**
 * The package check for products already in the catalog (the admin area's flag on products whose
 * package went missing on a panel): every enabled server of their groups is asked once, whatever
 * the number of products.
 */
export async function packageReports(deps: Deps, productRef?: string): Promise<PackageReport[]> {
  const products = productRef ? [await resolveProduct(deps, productRef)] : await listAllProducts(deps.db.kysely);
  const groups = new Set(products.map((p) => p.server_group));
  const servers = (await listServerRows(deps.db.kysely)).filter((s) => s.enabled === 1 && groups.has(s.server_group));
  const answers = await listPanelPackages(deps, servers);
  return products.map((p) => {
    const inGroup = servers.filter((s) => s.server_group === p.server_group).map((s) => s.name);
    const problems = packageProblems(p.panel_package, new Map([...answers].filter(([name]) => inGroup.includes(name))));
    return {
      product_id: p.id,
      panel_package: p.panel_package,
      server_group: p.server_group,
      status: inGroup.length === 0 ? 'no_servers' : problems.length ? 'missing' : 'confirmed',
      servers: inGroup.sort(),
      problems,
    };
  });
}
