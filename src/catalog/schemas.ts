import { Type } from '@sinclair/typebox';
import { IdParam, StringEnum } from '../platform/http/schemas.js';
import { BILLING_CYCLES } from './cycles.js';

export { BILLING_CYCLES };
export const BillingCycle = StringEnum(BILLING_CYCLES, { description: 'How often the service is billed.' });

export const Category = Type.Object(
  {
    id: IdParam('category', 'Category id'),
    slug: Type.String({ examples: ['web-hosting'] }),
    name: Type.String({ examples: ['Web Hosting'] }),
    description: Type.String(),
  },
  { additionalProperties: false },
);

export const Price = Type.Object(
  {
    billing_cycle: BillingCycle,
    amount_minor: Type.Integer({ description: 'Recurring price in minor units', examples: [499] }),
    setup_fee_minor: Type.Integer({ description: 'One-off setup fee in minor units', examples: [0] }),
    currency: Type.String({ examples: ['USD'] }),
  },
  { additionalProperties: false },
);

export const Product = Type.Object(
  {
    id: IdParam('product', 'Product id'),
    category_id: IdParam('category', 'Category id'),
    slug: Type.String({ examples: ['starter'] }),
    name: Type.String({ examples: ['Starter'] }),
    description: Type.String(),
    features: Type.Object(
      {
        web_domain: Type.Boolean({ description: 'A website is set up for the ordered domain' }),
        dns_zone: Type.Boolean({ description: 'A DNS zone is created for the ordered domain' }),
        mail_domain: Type.Boolean({ description: 'Mail is set up for the ordered domain' }),
      },
      { additionalProperties: false },
    ),
    prices: Type.Array(Price),
  },
  { additionalProperties: false },
);
