import { isAlreadyGone } from '../hestia/panel.js';
import { type Compensation, type CompensationContext, JobFailure } from '../jobs/types.js';
import { jobPanel } from './context.js';
import type { LifecyclePayload } from './jobs.js';

/**
 * The rollback of a creation that gave up: the account this job made (or adopted as its own)
 * is deleted and read back as gone. It opens its own panel connection, from recorded outputs
 * only, so it runs the same in the failing run and in a retried rollback.
 */
export const deleteCreatedUser: Compensation<LifecyclePayload> = {
  describe: async (ctx) => {
    const { serverId, username } = createdAccount(ctx);
    const server = await ctx.app.db.kysely
      .selectFrom('servers')
      .select('name')
      .where('id', '=', serverId)
      .executeTakeFirst();
    return (
      `panel user ${username} on server ${server?.name ?? serverId} still exists: ` +
      `remove it with \`portico services terminate ${ctx.payload.serviceId}\` ` +
      `(or \`portico jobs retry ${ctx.job.id}\` to create the service again with it)`
    );
  },
  run: async (ctx) => {
    const { serverId, username } = createdAccount(ctx);
    const c = { correlationId: ctx.correlationId };
    const { client, panel } = await jobPanel(ctx.app, serverId, ctx.job.id);
    try {
      const done = await panel.terminateAccount(c, username);
      if (!done.ok && !isAlreadyGone(done.error)) throw JobFailure.fromPanel(done.error, 'v-delete-user (rollback)');
      const check = await panel.readAccount(c, username);
      if (check.ok)
        throw new JobFailure('retry', 'VERIFY', `${username} still exists on the panel after v-delete-user.`);
      if (!isAlreadyGone(check.error)) throw JobFailure.fromPanel(check.error, 'v-list-user (rollback)');
    } finally {
      await client.close();
    }
  },
};

function createdAccount(ctx: CompensationContext<LifecyclePayload>): { serverId: string; username: string } {
  const serverId = ctx.output<{ serverId: string }>('place')?.serverId;
  const username = ctx.output<{ username: string }>('credentials')?.username;
  if (!serverId || !username)
    throw new JobFailure('permanent', 'NO_ACCOUNT', 'The job recorded no server or username to roll back.');
  return { serverId, username };
}
