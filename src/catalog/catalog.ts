import type { Static } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import { notFound } from '../platform/http/errors.js';
import type { Category, Product } from './schemas.js';
import {
  findProduct,
  listListedProducts,
  listPrices,
  listVisibleCategories,
  type PriceRow,
  type ProductRow,
} from './store.js';

export interface ProductFeatures {
  webDomain: boolean;
  dnsZone: boolean;
  mailDomain: boolean;
}

export function parseFeatures(json: string): ProductFeatures {
  const raw = JSON.parse(json) as Partial<ProductFeatures>;
  return { webDomain: !!raw.webDomain, dnsZone: !!raw.dnsZone, mailDomain: !!raw.mailDomain };
}

export function toProduct(row: ProductRow, prices: PriceRow[]): Static<typeof Product> {
  const features = parseFeatures(row.features);
  return {
    id: row.id,
    category_id: row.category_id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    features: { web_domain: features.webDomain, dns_zone: features.dnsZone, mail_domain: features.mailDomain },
    prices: prices
      .filter((p) => p.product_id === row.id)
      .map((p) => ({
        billing_cycle: p.billing_cycle,
        amount_minor: p.amount_minor,
        setup_fee_minor: p.setup_fee_minor,
        currency: p.currency,
      })),
  };
}

/** Hidden categories are not listed. */
export async function getCategories(db: Kysely<Database>): Promise<Static<typeof Category>[]> {
  const rows = await listVisibleCategories(db);
  return rows.map(({ id, slug, name, description }) => ({ id, slug, name, description }));
}

/** Hidden products, and every product of a hidden category, are not listed; disabled ones never are. */
export async function getProducts(db: Kysely<Database>, categoryId?: string): Promise<Static<typeof Product>[]> {
  const rows = await listListedProducts(db, categoryId);
  const prices = await listPrices(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => toProduct(row, prices));
}

/**
 * A disabled product is as invisible to clients as one that never existed. A hidden one can still be
 * fetched (and ordered) by its id: a private offer.
 */
export async function getProduct(db: Kysely<Database>, id: string): Promise<Static<typeof Product>> {
  const row = await findProduct(db, id);
  if (row?.enabled !== 1) throw notFound('The product');
  return toProduct(row, await listPrices(db, [id]));
}
