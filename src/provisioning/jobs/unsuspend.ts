import { JobFailure } from '../../jobs/types.js';
import { must } from '../context.js';
import { defineLifecycleJob, ServicePayloadSchema } from '../lifecycle.js';
import { onAccount } from '../steps.js';

/** Lifts a suspension, read back as lifted; whatever its reason was, it is cleared. */
export const unsuspendJob = defineLifecycleJob({
  action: 'unsuspend',
  type: 'service.unsuspend',
  allowedFrom: ['suspended', 'active'],
  payload: ServicePayloadSchema,
  maxAttempts: 8,
  run: onAccount(async (ctx, panel, _service, username) => {
    const c = { correlationId: ctx.correlationId };
    must(await panel.unsuspendAccount(c, username), 'v-unsuspend-user');
    if (must(await panel.readAccount(c, username), 'v-list-user').suspended)
      throw new JobFailure('retry', 'VERIFY', `${username} is still suspended.`);
    return { outcome: { status: 'active', suspension_reason: null }, audit: 'service.unsuspended' };
  }),
});
