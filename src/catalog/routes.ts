import { Type } from '@sinclair/typebox';
import { IdParam } from '../platform/http/schemas.js';
import { defineRoute } from '../userapi/route.js';
import { getCategories, getProduct, getProducts } from './catalog.js';
import { Category, Product } from './schemas.js';

const CATEGORY = 'Catalog';

export const catalogRoutes = [
  defineRoute({
    method: 'GET',
    path: '/categories',
    operationId: 'listCategories',
    category: CATEGORY,
    summary: 'List product categories',
    description:
      'The categories of the product catalog, in display order (hidden ones are not listed). No login needed.',
    auth: 'none',
    response: {
      status: 200,
      description: 'The categories',
      schema: Type.Object({ items: Type.Array(Category) }, { additionalProperties: false }),
    },
    handler: async (_input, ctx) => ({ items: await getCategories(ctx.app.db.kysely) }),
  }),
  defineRoute({
    method: 'GET',
    path: '/products',
    operationId: 'listProducts',
    category: CATEGORY,
    summary: 'List products',
    description:
      'Products on sale with their prices per billing cycle and currency, optionally of one category. Hidden products and those of hidden categories are not listed. No login needed.',
    auth: 'none',
    query: Type.Object(
      { category_id: Type.Optional(IdParam('category', 'Only products of this category')) },
      { additionalProperties: false },
    ),
    response: {
      status: 200,
      description: 'The products',
      schema: Type.Object({ items: Type.Array(Product) }, { additionalProperties: false }),
    },
    handler: async ({ query }, ctx) => ({ items: await getProducts(ctx.app.db.kysely, query.category_id) }),
  }),
  defineRoute({
    method: 'GET',
    path: '/products/{id}',
    operationId: 'getProduct',
    category: CATEGORY,
    summary: 'Get a product',
    description:
      'One product with its prices. A hidden product (a private offer) can be fetched and ordered by its id; a disabled one cannot. No login needed.',
    auth: 'none',
    params: Type.Object({ id: IdParam('product', 'Product id') }),
    response: { status: 200, description: 'The product', schema: Product },
    handler: async ({ params }, ctx) => getProduct(ctx.app.db.kysely, params.id),
  }),
];
