import type { ServiceStatus } from '../../platform/db/schema.js';
import { must } from '../context.js';
import { defineLifecycleJob, ServicePayloadSchema } from '../lifecycle.js';
import { generatePanelPassword } from '../placement.js';
import { onAccount } from '../steps.js';

/** Gives the account a new panel password, which the client may reveal once again. */
export const changePasswordJob = defineLifecycleJob({
  action: 'change_password',
  type: 'service.change_password',
  allowedFrom: ['active'],
  payload: ServicePayloadSchema,
  maxAttempts: 8,
  run: onAccount(async (ctx, panel, service, username) => {
    const c = { correlationId: ctx.correlationId };
    // The new password is chosen once and sealed in the step, so a retry sets the same one.
    const { sealed } = await ctx.step('new-password', async () => ({
      sealed: ctx.deps.secrets().seal(generatePanelPassword()),
    }));
    must(await panel.changePassword(c, username, ctx.deps.secrets().open(sealed)), 'v-change-user-password');
    must(await panel.readAccount(c, username), 'v-list-user');
    return {
      outcome: {
        status: service.status as ServiceStatus,
        panel_password_sealed: sealed,
        panel_password_revealed_at_ms: null,
      },
      audit: 'service.password_changed',
    };
  }),
});
