import { JobFailure } from '../../jobs/types.js';
import { isAlreadyGone } from '../../panel/adapter.js';
import { panelUserOf } from '../compensations.js';
import { defineLifecycleJob, ServicePayloadSchema } from '../lifecycle.js';
import { onAccount } from '../steps.js';

/**
 * Deletes the account, read back as gone. Terminating a pending service removes what a failed
 * creation left on its panel, and only if that user is this service's.
 */
export const terminateJob = defineLifecycleJob({
  action: 'terminate',
  type: 'service.terminate',
  allowedFrom: ['active', 'suspended', 'terminated', 'pending'],
  payload: ServicePayloadSchema,
  maxAttempts: 8,
  run: onAccount(async (ctx, panel, service, username) => {
    const c = { correlationId: ctx.correlationId };
    const terminated = { outcome: { status: 'terminated' as const }, audit: 'service.terminated' };
    if (service.status === 'pending') {
      const found = await panelUserOf(panel, c, ctx.deps.db.kysely, {
        ...service,
        serverId: service.serverId!,
        username,
      });
      if (found === 'not_ours') {
        throw new JobFailure(
          'permanent',
          'NOT_OURS',
          `Panel user ${username} exists but is not this service's (another contact or service); nothing was deleted.`,
        );
      }
      if (found === 'gone') return terminated;
    }
    const done = await panel.terminateAccount(c, username);
    if (!done.ok && !isAlreadyGone(done.error)) throw JobFailure.fromPanel(done.error, 'v-delete-user');
    const check = await panel.readAccount(c, username);
    if (check.ok) throw new JobFailure('retry', 'VERIFY', `${username} still exists on the panel.`);
    if (!isAlreadyGone(check.error)) throw JobFailure.fromPanel(check.error, 'v-list-user');
    return terminated;
  }),
});
