import { Type } from '@sinclair/typebox';
import { type AdminRouteContext, defineAdminRoute } from '../admin/route.js';
import {
  AdminCategory,
  AdminProduct,
  CategoryParam,
  CreateCategoryBody,
  CreateProductBody,
  PackageReport,
  ProductParam,
  SavedProduct,
  UpdateCategoryBody,
  UpdateProductBody,
} from './admin-schemas.js';
import {
  type Actor,
  createCategory,
  createProduct,
  getProductForAdmin,
  listCategoriesForAdmin,
  listProductsForAdmin,
  packageReports,
  updateCategory,
  updateProduct,
} from './manage.js';

/** The catalog in the Admin API: the same operations as `portico categories|products …`. */
const category = 'Catalog';

function actorOf(ctx: AdminRouteContext): Actor {
  return { type: 'admin', id: ctx.principal.adminId, ip: ctx.ip, requestId: ctx.requestId };
}

const PACKAGE_CHECK =
  ' The package must exist on every enabled server of the product’s group (each panel is asked); a group without servers saves with a warning; `skip_package_check: true` saves without asking.';

function toggle(action: 'enable' | 'disable') {
  return defineAdminRoute({
    method: 'POST',
    path: `/catalog/products/{id}/${action}`,
    operationId: action === 'enable' ? 'adminEnableProduct' : 'adminDisableProduct',
    category,
    summary: action === 'enable' ? 'Enable a product' : 'Disable a product',
    description:
      action === 'enable'
        ? 'Puts a disabled product back on sale (its package is checked again).'
        : 'Takes a product off sale: it is neither listed nor orderable; its existing services go on and renew.',
    auth: 'admin',
    permission: 'catalog',
    params: ProductParam,
    response: { status: 200, description: 'The product.', schema: SavedProduct },
    errors: ['not_found', 'invalid_request'],
    handler: async ({ params }, ctx) =>
      updateProduct(ctx.app, actorOf(ctx), params.id, { enabled: action === 'enable' }),
  });
}

export const catalogAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/catalog/categories',
    operationId: 'adminListCategories',
    category,
    summary: 'List categories',
    description: 'Every category, hidden ones too, in display order.',
    auth: 'admin',
    response: {
      status: 200,
      description: 'The categories.',
      schema: Type.Object({ items: Type.Array(AdminCategory) }, { additionalProperties: false }),
    },
    handler: async (_input, ctx) => ({ items: await listCategoriesForAdmin(ctx.app) }),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/catalog/categories',
    operationId: 'adminCreateCategory',
    category,
    summary: 'Create a category',
    description:
      'A category of the catalog; its slug is derived from the name unless given. The same as `portico categories create`.',
    auth: 'admin',
    permission: 'catalog',
    body: CreateCategoryBody,
    response: { status: 201, description: 'The category.', schema: AdminCategory },
    errors: ['conflict', 'invalid_request'],
    handler: async ({ body }, ctx) => createCategory(ctx.app, actorOf(ctx), body),
  }),
  defineAdminRoute({
    method: 'PATCH',
    path: '/catalog/categories/{id}',
    operationId: 'adminUpdateCategory',
    category,
    summary: 'Change a category',
    description:
      'Rename it, change its slug, description or sort order, hide or unhide it. Hidden: not listed in the public catalog.',
    auth: 'admin',
    permission: 'catalog',
    params: CategoryParam,
    body: UpdateCategoryBody,
    response: { status: 200, description: 'The category after the change.', schema: AdminCategory },
    errors: ['not_found', 'conflict', 'invalid_request'],
    handler: async ({ params, body }, ctx) => updateCategory(ctx.app, actorOf(ctx), params.id, body),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/catalog/products',
    operationId: 'adminListProducts',
    category,
    summary: 'List products',
    description: 'Every product, disabled and hidden ones too, with its prices per cycle and currency.',
    auth: 'admin',
    response: {
      status: 200,
      description: 'The products.',
      schema: Type.Object({ items: Type.Array(AdminProduct) }, { additionalProperties: false }),
    },
    handler: async (_input, ctx) => ({ items: await listProductsForAdmin(ctx.app) }),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/catalog/products',
    operationId: 'adminCreateProduct',
    category,
    summary: 'Create a product',
    description: `A product with its prices per billing cycle and currency (minor units). The same as \`portico products create\`.${PACKAGE_CHECK}`,
    auth: 'admin',
    permission: 'catalog',
    body: CreateProductBody,
    response: {
      status: 201,
      description: 'The product, and what the package check could not confirm.',
      schema: SavedProduct,
    },
    errors: ['not_found', 'conflict', 'invalid_request'],
    handler: async ({ body }, ctx) => createProduct(ctx.app, actorOf(ctx), body),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/catalog/products/{id}',
    operationId: 'adminGetProduct',
    category,
    summary: 'Get a product',
    description: 'One product with its prices, disabled or hidden ones too.',
    auth: 'admin',
    params: ProductParam,
    response: { status: 200, description: 'The product.', schema: AdminProduct },
    errors: ['not_found'],
    handler: async ({ params }, ctx) => getProductForAdmin(ctx.app, params.id),
  }),
  defineAdminRoute({
    method: 'PATCH',
    path: '/catalog/products/{id}',
    operationId: 'adminUpdateProduct',
    category,
    summary: 'Change a product',
    description: `Changes the fields given. \`prices\` is the full list and replaces the old one; a price change applies to new orders only (existing services keep their amount: PATCH /services/{id}/billing). \`enabled: false\` takes it off sale.${PACKAGE_CHECK} The package is checked when the package or group changes or the product is enabled.`,
    auth: 'admin',
    permission: 'catalog',
    params: ProductParam,
    body: UpdateProductBody,
    response: { status: 200, description: 'The product after the change.', schema: SavedProduct },
    errors: ['not_found', 'conflict', 'invalid_request'],
    handler: async ({ params, body }, ctx) => updateProduct(ctx.app, actorOf(ctx), params.id, body),
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/catalog/package-check',
    operationId: 'adminCheckProductPackages',
    category,
    summary: 'Check products’ panel packages',
    description:
      'For every product (or the one `product_id` names), whether its panel package is on every enabled server of its group, each panel asked once: `missing` names the servers that lack it or could not be asked. A package deleted on a panel after the product was saved makes its orders fail; this finds it first.',
    auth: 'admin',
    query: Type.Object(
      { product_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Product id or slug' })) },
      { additionalProperties: false },
    ),
    response: {
      status: 200,
      description: 'One report per product.',
      schema: Type.Object({ items: Type.Array(PackageReport) }, { additionalProperties: false }),
    },
    errors: ['not_found'],
    handler: async ({ query }, ctx) => ({ items: await packageReports(ctx.app, query.product_id) }),
  }),
  toggle('disable'),
  toggle('enable'),
];
