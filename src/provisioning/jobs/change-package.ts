import { Type } from '@sinclair/typebox';
import { findProduct } from '../../catalog/store.js';
import { JobFailure } from '../../jobs/types.js';
import type { ServiceStatus } from '../../platform/db/schema.js';
import { must } from '../context.js';
import { defineLifecycleJob, ServicePayloadSchema } from '../lifecycle.js';
import { onAccount } from '../steps.js';

/** Moves the account to another product's panel package (its own product's when none is given). */
export const changePackageJob = defineLifecycleJob({
  action: 'change_package',
  type: 'service.change_package',
  allowedFrom: ['active', 'suspended'],
  payload: Type.Composite([ServicePayloadSchema, Type.Object({ productId: Type.Optional(Type.String()) })]),
  maxAttempts: 8,
  run: onAccount(async (ctx, panel, service, username) => {
    const c = { correlationId: ctx.correlationId };
    const productId = ctx.payload.productId ?? service.productId;
    const product = await findProduct(ctx.deps.db.kysely, productId);
    if (!product) throw new JobFailure('permanent', 'PRODUCT_NOT_FOUND', `Product ${productId} does not exist.`);
    must(await panel.changePackage(c, username, product.panel_package), 'v-change-user-package');
    const account = must(await panel.readAccount(c, username), 'v-list-user');
    if (account.packageName !== product.panel_package)
      throw new JobFailure('retry', 'VERIFY', `${username} reads back with package ${account.packageName}.`);
    return {
      outcome: { status: service.status as ServiceStatus, product_id: product.id },
      audit: 'service.package_changed',
    };
  }),
});
