import { Type } from '@sinclair/typebox';
import { IdParam, StringEnum, TextBlock, TextLine, Timestamp } from '../platform/http/schemas.js';
import { BillingCycle } from './schemas.js';

/** The catalog as admins see and change it: hidden and disabled things included. */
const SLUG = '^[a-z0-9]+(?:-[a-z0-9]+)*$';
const PACKAGE = '^[A-Za-z0-9._-]{1,64}$';
const GROUP = '^[A-Za-z0-9._-]{1,64}$';

export const CategoryParam = Type.Object({ id: IdParam('category', 'Category id') }, { additionalProperties: false });
export const ProductParam = Type.Object({ id: IdParam('product', 'Product id') }, { additionalProperties: false });

export const AdminCategory = Type.Object(
  {
    id: IdParam('category', 'Category id'),
    slug: Type.String({ examples: ['web-hosting'] }),
    name: Type.String({ examples: ['Web Hosting'] }),
    description: Type.String(),
    sort_order: Type.Integer({ description: 'Lower first' }),
    hidden: Type.Boolean({ description: 'Not listed in the public catalog' }),
  },
  { additionalProperties: false },
);

export const CreateCategoryBody = Type.Object(
  {
    name: TextLine({ minLength: 1, maxLength: 100, examples: ['Web Hosting'] }),
    slug: Type.Optional(
      Type.String({ pattern: SLUG, maxLength: 64, description: 'Derived from the name when left out' }),
    ),
    description: Type.Optional(TextBlock({ maxLength: 2000 })),
    sort_order: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    hidden: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const UpdateCategoryBody = Type.Object(
  {
    name: Type.Optional(TextLine({ minLength: 1, maxLength: 100 })),
    slug: Type.Optional(Type.String({ pattern: SLUG, maxLength: 64 })),
    description: Type.Optional(TextBlock({ maxLength: 2000 })),
    sort_order: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    hidden: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const PriceInput = Type.Object(
  {
    billing_cycle: BillingCycle,
    currency: Type.String({ pattern: '^[A-Z]{3}$', examples: ['USD'] }),
    amount_minor: Type.Integer({ minimum: 0, description: 'Recurring price in minor units', examples: [500] }),
    setup_fee_minor: Type.Optional(
      Type.Integer({ minimum: 0, description: 'One-off setup fee in minor units (default 0)', examples: [0] }),
    ),
  },
  { additionalProperties: false },
);

const Features = Type.Object(
  {
    web_domain: Type.Optional(Type.Boolean({ description: 'A website is set up for the ordered domain' })),
    dns_zone: Type.Optional(Type.Boolean({ description: 'A DNS zone is created for the ordered domain' })),
    mail_domain: Type.Optional(Type.Boolean({ description: 'Mail is set up for the ordered domain' })),
  },
  { additionalProperties: false },
);

const productFields = {
  name: TextLine({ minLength: 1, maxLength: 100, examples: ['Starter'] }),
  slug: Type.String({ pattern: SLUG, maxLength: 64, description: 'Derived from the name when left out' }),
  description: TextBlock({ maxLength: 4000 }),
  category_id: IdParam('category', 'Category id'),
  panel_package: Type.String({ pattern: PACKAGE, description: 'The HestiaCP package accounts get' }),
  server_group: Type.String({ pattern: GROUP, description: 'Server group accounts are placed in' }),
  features: Features,
  enabled: Type.Boolean({ description: 'Disabled: not listed, not orderable; existing services go on' }),
  hidden: Type.Boolean({ description: 'Hidden: not listed, still orderable by id (a private offer)' }),
  sort_order: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  skip_package_check: Type.Boolean({
    description: 'Save without checking that the package exists on the servers of the group',
  }),
};

export const CreateProductBody = Type.Object(
  {
    name: productFields.name,
    category_id: productFields.category_id,
    panel_package: productFields.panel_package,
    prices: Type.Array(PriceInput, {
      minItems: 1,
      maxItems: 50,
      description: 'One per billing cycle and currency',
    }),
    slug: Type.Optional(productFields.slug),
    description: Type.Optional(productFields.description),
    server_group: Type.Optional(productFields.server_group),
    features: Type.Optional(productFields.features),
    enabled: Type.Optional(productFields.enabled),
    hidden: Type.Optional(productFields.hidden),
    sort_order: Type.Optional(productFields.sort_order),
    skip_package_check: Type.Optional(productFields.skip_package_check),
  },
  { additionalProperties: false },
);

export const UpdateProductBody = Type.Object(
  {
    name: Type.Optional(productFields.name),
    category_id: Type.Optional(productFields.category_id),
    panel_package: Type.Optional(productFields.panel_package),
    prices: Type.Optional(
      Type.Array(PriceInput, {
        minItems: 1,
        maxItems: 50,
        description:
          'The full price list: it replaces the old one. Existing services keep their own amount (PATCH /services/{id}/billing).',
      }),
    ),
    slug: Type.Optional(productFields.slug),
    description: Type.Optional(productFields.description),
    server_group: Type.Optional(productFields.server_group),
    features: Type.Optional(productFields.features),
    enabled: Type.Optional(productFields.enabled),
    hidden: Type.Optional(productFields.hidden),
    sort_order: Type.Optional(productFields.sort_order),
    skip_package_check: Type.Optional(productFields.skip_package_check),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const AdminPrice = Type.Object(
  {
    billing_cycle: BillingCycle,
    currency: Type.String({ examples: ['USD'] }),
    amount_minor: Type.Integer({ examples: [500] }),
    setup_fee_minor: Type.Integer({ examples: [0] }),
  },
  { additionalProperties: false },
);

export const AdminProduct = Type.Object(
  {
    id: IdParam('product', 'Product id'),
    category_id: IdParam('category', 'Category id'),
    slug: Type.String({ examples: ['starter'] }),
    name: Type.String({ examples: ['Starter'] }),
    description: Type.String(),
    module: Type.String({ examples: ['hestia'] }),
    panel_package: Type.String({ examples: ['starter'] }),
    server_group: Type.String({ examples: ['default'] }),
    features: Type.Object(
      { web_domain: Type.Boolean(), dns_zone: Type.Boolean(), mail_domain: Type.Boolean() },
      { additionalProperties: false },
    ),
    enabled: Type.Boolean(),
    hidden: Type.Boolean(),
    sort_order: Type.Integer(),
    prices: Type.Array(AdminPrice),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false },
);

export const PackageReport = Type.Object(
  {
    product_id: IdParam('product', 'Product id'),
    panel_package: Type.String({ examples: ['starter'] }),
    server_group: Type.String({ examples: ['default'] }),
    status: StringEnum(['confirmed', 'missing', 'no_servers'] as const, {
      description:
        'confirmed: on every enabled server of the group; missing: some server lacks it or could not be asked; no_servers: the group has no enabled server',
    }),
    servers: Type.Array(Type.String(), { description: 'The enabled servers of the group, asked' }),
    problems: Type.Array(Type.String(), { description: 'Each server that lacks it or could not be asked, and why' }),
  },
  { additionalProperties: false },
);

export const SavedProduct = Type.Object(
  {
    product: AdminProduct,
    warnings: Type.Array(Type.String(), { description: 'What the package check could not confirm' }),
  },
  { additionalProperties: false },
);
