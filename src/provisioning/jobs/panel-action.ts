import { Type } from '@sinclair/typebox';
import { JobFailure } from '../../jobs/types.js';
import { isAlreadyGone, isExists, type PanelAdapter } from '../../panel/adapter.js';
import type { ServiceStatus } from '../../platform/db/schema.js';
import { must } from '../context.js';
import { defineLifecycleJob, type PanelOp, PanelOpSchema, ServicePayloadSchema } from '../lifecycle.js';
import { addDomainOnce, type LifecycleContext, onAccount } from '../steps.js';

/**
 * A client's change to what lives in the account (src/hosting): a web domain, DNS zone or mail
 * domain added or deleted, a database added or deleted. Adding what is already there and
 * deleting what is already gone count as done.
 */
export const panelActionJob = defineLifecycleJob({
  action: 'panel_action',
  type: 'service.panel_action',
  allowedFrom: ['active'],
  payload: Type.Composite([ServicePayloadSchema, Type.Object({ op: PanelOpSchema })]),
  maxAttempts: 8,
  run: onAccount(async (ctx, panel, service, username) => {
    const op = ctx.payload.op;
    if (!op) throw new JobFailure('permanent', 'BAD_PAYLOAD', 'The job has no operation.');
    if (op.kind === 'add_domain' || op.kind === 'delete_domain') await domainOp(ctx, panel, username, op);
    else await databaseOp(ctx, panel, username, op);
    return { outcome: { status: service.status as ServiceStatus }, audit: `service.${op.kind}` };
  }),
});

async function domainOp(
  ctx: LifecycleContext,
  panel: PanelAdapter,
  username: string,
  op: Extract<PanelOp, { kind: 'add_domain' | 'delete_domain' }>,
) {
  const c = { correlationId: ctx.correlationId };
  if (op.kind === 'add_domain') {
    const ip =
      op.domainKind === 'dns'
        ? must(await panel.listDomains(c, 'web', username), 'v-list-web-domains')[0]?.details.IP
        : undefined;
    if (op.domainKind === 'dns' && !ip) {
      throw new JobFailure('permanent', 'NO_IP', 'Add a web domain first: a DNS zone points at the website IP.');
    }
    await addDomainOnce(panel, ctx, op.domainKind, username, op.domain, ip);
    return;
  }
  const done = await panel.deleteDomain(c, op.domainKind, username, op.domain);
  if (!done.ok && !isAlreadyGone(done.error)) throw JobFailure.fromPanel(done.error, `deleting ${op.domain}`);
}

async function databaseOp(
  ctx: LifecycleContext,
  panel: PanelAdapter,
  username: string,
  op: Extract<PanelOp, { kind: 'add_database' | 'delete_database' }>,
) {
  const c = { correlationId: ctx.correlationId };
  if (op.kind === 'add_database') {
    const password = ctx.deps.secrets().open(op.passwordSealed);
    const added = await panel.addDatabase(c, username, { database: op.database, dbUser: op.dbUser, password });
    if (!added.ok && !isExists(added.error)) throw JobFailure.fromPanel(added.error, `adding database ${op.database}`);
    return;
  }
  const done = await panel.deleteDatabase(c, username, op.database);
  if (!done.ok && !isAlreadyGone(done.error))
    throw JobFailure.fromPanel(done.error, `deleting database ${op.database}`);
}
