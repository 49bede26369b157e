import { JobFailure } from '../../jobs/types.js';
import { isAlreadySuspended } from '../../panel/adapter.js';
import { must } from '../context.js';
import { defineLifecycleJob, ServicePayloadSchema } from '../lifecycle.js';
import { onAccount } from '../steps.js';

/** Suspends the account (non-payment, abuse); an account already suspended counts as done. */
export const suspendJob = defineLifecycleJob({
  action: 'suspend',
  type: 'service.suspend',
  allowedFrom: ['active', 'suspended'],
  payload: ServicePayloadSchema,
  maxAttempts: 8,
  run: onAccount(async (ctx, panel, _service, username) => {
    const c = { correlationId: ctx.correlationId };
    const done = await panel.suspendAccount(c, username);
    if (!done.ok && !isAlreadySuspended(done.error)) throw JobFailure.fromPanel(done.error, 'v-suspend-user');
    if (!must(await panel.readAccount(c, username), 'v-list-user').suspended)
      throw new JobFailure('retry', 'VERIFY', `${username} is not suspended yet.`);
    return { outcome: { status: 'suspended' }, audit: 'service.suspended' };
  }),
});
