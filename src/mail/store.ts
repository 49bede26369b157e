import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, MailMessagesTable, MailState, MailTemplatesTable } from '../platform/db/schema.js';

/** The mail module's SQL: messages (a queue claimed under a lease) and the admin's templates. */
export type MailRow = Selectable<MailMessagesTable>;
export type TemplateRow = Selectable<MailTemplatesTable>;

/** Inserts the message unless one with its dedupe key exists; true when this call inserted it. */
export async function insertMessage(db: Kysely<Database>, row: Insertable<MailMessagesTable>): Promise<boolean> {
  const result = await db
    .insertInto('mail_messages')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export function findMessage(db: Kysely<Database>, id: string): Promise<MailRow | undefined> {
  return db.selectFrom('mail_messages').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listMessages(
  db: Kysely<Database>,
  filter: {
    state?: MailState | undefined;
    clientId?: string | undefined;
    to?: string | undefined;
    beforeId?: string | undefined;
    limit: number;
  },
): Promise<MailRow[]> {
  let q = db.selectFrom('mail_messages').selectAll();
  if (filter.state) q = q.where('state', '=', filter.state);
  if (filter.clientId) q = q.where('client_id', '=', filter.clientId);
  if (filter.to) q = q.where('to_address', '=', filter.to);
  if (filter.beforeId) q = q.where('id', '<', filter.beforeId);
  return q.orderBy('id', 'desc').limit(filter.limit).execute();
}

/**
 * Claims one message to send: queued and due, or `sending` under an expired lease (a worker
 * that died during an attempt). The claim is the recorded attempt: state `sending`, attempts + 1,
 * committed before anything is sent.
 */
export async function claimMessage(
  db: Kysely<Database>,
  options: { dialect: 'sqlite' | 'postgres'; owner: string; nowMs: number; leaseMs: number },
): Promise<MailRow | undefined> {
  const { owner, nowMs, leaseMs } = options;
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('mail_messages')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'queued'), eb('run_after_ms', '<=', nowMs)]),
          eb.and([eb('state', '=', 'sending'), eb('lease_expires_at_ms', '<', nowMs)]),
        ]),
      )
      .orderBy('run_after_ms')
      .orderBy('id')
      .limit(10);
    if (options.dialect === 'postgres') query = query.forUpdate().skipLocked();
    for (const m of await query.execute()) {
      const changes = {
        state: 'sending' as const,
        lease_owner: owner,
        lease_expires_at_ms: nowMs + leaseMs,
        attempts: m.attempts + 1,
        last_attempt_at_ms: nowMs,
        updated_at_ms: nowMs,
      };
      const result = await trx
        .updateTable('mail_messages')
        .set(changes)
        .where('id', '=', m.id)
        .where('updated_at_ms', '=', m.updated_at_ms)
        .where('state', '=', m.state)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return { ...m, ...changes };
    }
    return undefined;
  });
}

/** Records an attempt's outcome; false when the lease was lost (another worker took the message over). */
export async function finishMessage(
  db: Kysely<Database>,
  id: string,
  owner: string,
  changes: Partial<Pick<MailRow, 'state' | 'run_after_ms' | 'last_error' | 'sent_at_ms'>> & { updated_at_ms: number },
): Promise<boolean> {
  const result = await db
    .updateTable('mail_messages')
    .set({ ...changes, lease_owner: null, lease_expires_at_ms: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Puts an unsent or failed message back in the queue (an admin's retry); false when it was neither. */
export async function requeueMessage(db: Kysely<Database>, id: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable('mail_messages')
    .set({ state: 'queued', run_after_ms: nowMs, attempts: 0, updated_at_ms: nowMs })
    .where('id', '=', id)
    .where('state', 'in', ['unsent', 'failed'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function findTemplate(db: Kysely<Database>, name: string): Promise<TemplateRow | undefined> {
  return db.selectFrom('mail_templates').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function saveTemplate(db: Kysely<Database>, row: TemplateRow): Promise<void> {
  await db
    .insertInto('mail_templates')
    .values(row)
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        subject: row.subject,
        text_body: row.text_body,
        html_body: row.html_body,
        updated_at_ms: row.updated_at_ms,
      }),
    )
    .execute();
}

export async function deleteTemplate(db: Kysely<Database>, name: string): Promise<boolean> {
  const result = await db.deleteFrom('mail_templates').where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
