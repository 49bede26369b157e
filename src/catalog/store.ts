import type { Kysely, Selectable } from 'kysely';
import type { CategoriesTable, Database, ProductPricesTable, ProductsTable } from '../platform/db/schema.js';

/** The catalog's SQL. */
export type CategoryRow = Selectable<CategoriesTable>;
export type ProductRow = Selectable<ProductsTable>;
export type PriceRow = Selectable<ProductPricesTable>;

export function listCategories(db: Kysely<Database>): Promise<CategoryRow[]> {
  return db.selectFrom('categories').selectAll().orderBy('sort_order').orderBy('id').execute();
}

export function findProduct(db: Kysely<Database>, id: string): Promise<ProductRow | undefined> {
  return db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listPrices(db: Kysely<Database>, productIds: string[]): Promise<PriceRow[]> {
  if (productIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('product_prices').selectAll().where('product_id', 'in', productIds).execute();
}

export type NewCategory = Omit<CategoryRow, 'hidden'> & Partial<Pick<CategoryRow, 'hidden'>>;
export type NewProduct = Omit<ProductRow, 'hidden' | 'updated_at_ms'> &
  Partial<Pick<ProductRow, 'hidden' | 'updated_at_ms'>>;

export async function insertCategory(db: Kysely<Database>, row: NewCategory): Promise<void> {
  await db
    .insertInto('categories')
    .values({ hidden: 0, ...row })
    .execute();
}

export async function insertProduct(db: Kysely<Database>, row: NewProduct, prices: PriceRow[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('products')
      .values({ hidden: 0, updated_at_ms: row.created_at_ms, ...row })
      .execute();
    if (prices.length) await trx.insertInto('product_prices').values(prices).execute();
  });
}

/** The enabled HestiaCP products of a server group: what its panels must be able to host. */
export function listGroupPanelProducts(db: Kysely<Database>, group: string) {
  return db
    .selectFrom('products')
    .select(['name', 'features', 'panel_package'])
    .where('server_group', '=', group)
    .where('module', '=', 'hestia')
    .where('enabled', '=', 1)
    .execute();
}

/**
 * A product's price for one billing cycle, if it is sold that way: in the given currency when it
 * is sold in it, otherwise in the first of its currencies.
 */
export async function findPrice(
  db: Kysely<Database>,
  productId: string,
  billingCycle: PriceRow['billing_cycle'],
  currency?: string,
): Promise<PriceRow | undefined> {
  const rows = await db
    .selectFrom('product_prices')
    .selectAll()
    .where('product_id', '=', productId)
    .where('billing_cycle', '=', billingCycle)
    .orderBy('currency')
    .execute();
  return rows.find((r) => r.currency === currency) ?? rows[0];
}

/** Every category, hidden ones too (the admin's view). */
export function listAllCategories(db: Kysely<Database>): Promise<CategoryRow[]> {
  return listCategories(db);
}

/** The categories clients see: hidden ones left out. */
export function listVisibleCategories(db: Kysely<Database>): Promise<CategoryRow[]> {
  return db.selectFrom('categories').selectAll().where('hidden', '=', 0).orderBy('sort_order').orderBy('id').execute();
}

/** What the public catalog lists: enabled, not hidden, in a category that is not hidden. */
export function listListedProducts(db: Kysely<Database>, categoryId?: string): Promise<ProductRow[]> {
  let query = db
    .selectFrom('products')
    .innerJoin('categories', 'categories.id', 'products.category_id')
    .selectAll('products')
    .where('products.enabled', '=', 1)
    .where('products.hidden', '=', 0)
    .where('categories.hidden', '=', 0);
  if (categoryId) query = query.where('products.category_id', '=', categoryId);
  return query.orderBy('products.sort_order').orderBy('products.id').execute();
}

/** The enabled products of one category, hidden or not (what a service of it may move to). */
export function listEnabledProducts(db: Kysely<Database>, categoryId: string): Promise<ProductRow[]> {
  return db
    .selectFrom('products')
    .selectAll()
    .where('enabled', '=', 1)
    .where('category_id', '=', categoryId)
    .orderBy('sort_order')
    .orderBy('id')
    .execute();
}

export function listAllProducts(db: Kysely<Database>): Promise<ProductRow[]> {
  return db.selectFrom('products').selectAll().orderBy('sort_order').orderBy('id').execute();
}

export function findCategoryByRef(db: Kysely<Database>, ref: string): Promise<CategoryRow | undefined> {
  return db
    .selectFrom('categories')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('slug', '=', ref), eb('name', '=', ref)]))
    .orderBy('id')
    .executeTakeFirst();
}

export function findCategoryBySlug(db: Kysely<Database>, slug: string): Promise<CategoryRow | undefined> {
  return db.selectFrom('categories').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export function findProductByRef(db: Kysely<Database>, ref: string): Promise<ProductRow | undefined> {
  return db
    .selectFrom('products')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('slug', '=', ref)]))
    .executeTakeFirst();
}

export function findProductBySlug(db: Kysely<Database>, slug: string): Promise<ProductRow | undefined> {
  return db.selectFrom('products').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function updateCategoryRow(
  db: Kysely<Database>,
  id: string,
  changes: Partial<Omit<CategoryRow, 'id'>>,
): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  await db.updateTable('categories').set(changes).where('id', '=', id).execute();
}

/** Changes a product and, when `prices` is given, replaces its whole price list, in the caller's transaction. */
export async function updateProductRow(
  db: Kysely<Database>,
  id: string,
  changes: Partial<Omit<ProductRow, 'id' | 'created_at_ms'>>,
  prices?: PriceRow[],
): Promise<void> {
  if (Object.keys(changes).length) await db.updateTable('products').set(changes).where('id', '=', id).execute();
  if (prices) {
    await db.deleteFrom('product_prices').where('product_id', '=', id).execute();
    if (prices.length) await db.insertInto('product_prices').values(prices).execute();
  }
}
