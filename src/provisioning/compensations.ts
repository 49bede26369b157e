import type { Kysely } from 'kysely';
import { type Compensation, type CompensationContext, JobFailure } from '../jobs/types.js';
import { isAlreadyGone, type PanelAdapter } from '../panel/adapter.js';
import type { Database } from '../platform/db/schema.js';
import { findServerById } from '../servers/store.js';
import { isPanelUsernameTaken } from '../services/store.js';
import { jobPanel, loadService, must } from './context.js';
import type { LifecyclePayload } from './lifecycle.js';

/**
 * The rollback of a creation that gave up: the panel user this job may have made is deleted and
 * read back as gone. It hangs on the `credentials` step (the name is chosen), not on
 * `create-user`, because v-add-user can succeed without Portico hearing of it (a timeout, a lost
 * answer); so it deletes the user only when it is this service's (its contact is the client's
 * email and no other service owns the name), never a stranger's. It opens its own panel
 * connection, from recorded outputs only, so it runs the same in the failing run and in a
 * retried rollback.
 */
export const deleteCreatedUser: Compensation<LifecyclePayload> = {
  describe: async (ctx) => {
    const { serverId, username } = createdAccount(ctx);
    const server = await findServerById(ctx.deps.db.kysely, serverId);
    const state = ctx.output('create-user') ? 'still exists' : 'may exist (v-add-user’s outcome is not known)';
    return (
      `panel user ${username} on server ${server?.name ?? serverId} ${state}: ` +
      `remove it with \`portico services terminate ${ctx.payload.serviceId}\` ` +
      `(or \`portico jobs retry ${ctx.job.id}\` to create the service again with it)`
    );
  },
  run: async (ctx) => {
    const { serverId, username } = createdAccount(ctx);
    const c = { correlationId: ctx.correlationId };
    const { client, panel } = await jobPanel(ctx.deps, serverId, ctx.job.id);
    try {
      const service = await loadService(ctx.deps.db.kysely, ctx.payload.serviceId);
      const found = await panelUserOf(panel, c, ctx.deps.db.kysely, { ...service, serverId, username });
      if (found !== 'ours') return;
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

/**
 * Whether the panel user named for a service is there and is that service's: its contact is the
 * client's email and no other service on the server owns the name (the rule creation adopts by).
 */
export async function panelUserOf(
  panel: PanelAdapter,
  c: { correlationId: string },
  db: Kysely<Database>,
  service: { id: string; clientEmail: string; serverId: string; username: string },
): Promise<'gone' | 'ours' | 'not_ours'> {
  const read = await panel.readAccount(c, service.username);
  if (!read.ok && isAlreadyGone(read.error)) return 'gone';
  const account = must(read, 'v-list-user');
  const owned = await isPanelUsernameTaken(db, {
    serverId: service.serverId,
    username: service.username,
    exceptServiceId: service.id,
  });
  return account.email === service.clientEmail && !owned ? 'ours' : 'not_ours';
}
