import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { AdminsTable, Database } from '../platform/db/schema.js';

/** The staff accounts' SQL (the admins table and their recovery codes). */
export type StaffRow = Selectable<AdminsTable>;

export async function anyStaff(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('admins').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export async function staffEmailTaken(db: Kysely<Database>, email: string): Promise<boolean> {
  return (await db.selectFrom('admins').select('id').where('email', '=', email).executeTakeFirst()) !== undefined;
}

export async function insertStaff(db: Kysely<Database>, row: Insertable<AdminsTable>): Promise<void> {
  await db.insertInto('admins').values(row).execute();
}

export function findStaff(db: Kysely<Database>, id: string): Promise<StaffRow | undefined> {
  return db.selectFrom('admins').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findStaffByEmail(db: Kysely<Database>, email: string): Promise<StaffRow | undefined> {
  return db.selectFrom('admins').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

export function listStaff(db: Kysely<Database>): Promise<StaffRow[]> {
  return db.selectFrom('admins').selectAll().orderBy('created_at_ms').orderBy('id').execute();
}

export async function updateStaff(
  db: Kysely<Database>,
  id: string,
  changes: Updateable<Pick<AdminsTable, 'role' | 'status' | 'updated_at_ms'>>,
): Promise<void> {
  await db.updateTable('admins').set(changes).where('id', '=', id).execute();
}

/**
 * The active owners' ids. On PostgreSQL their rows are locked until the transaction ends, so two
 * owners demoting each other at once cannot both pass the last-owner check (SQLite has one writer).
 */
export async function activeOwnerIds(db: Kysely<Database>, lock: boolean): Promise<string[]> {
  let query = db.selectFrom('admins').select('id').where('role', '=', 'owner').where('status', '=', 'active');
  if (lock) query = query.forUpdate();
  return (await query.execute()).map((r) => r.id);
}

export async function setPendingTotp(db: Kysely<Database>, id: string, sealed: string, nowMs: number): Promise<void> {
  await db
    .updateTable('admins')
    .set({ totp_pending_secret: sealed, updated_at_ms: nowMs })
    .where('id', '=', id)
    .execute();
}

/** Turns the pending secret into the active one, if it is still the one the code was checked against. */
export async function enableTotp(
  db: Kysely<Database>,
  id: string,
  input: { pending: string; step: number; nowMs: number },
): Promise<boolean> {
  const result = await db
    .updateTable('admins')
    .set({
      totp_secret: input.pending,
      totp_pending_secret: null,
      totp_enabled_at_ms: input.nowMs,
      totp_last_step: input.step,
      updated_at_ms: input.nowMs,
    })
    .where('id', '=', id)
    .where('totp_pending_secret', '=', input.pending)
    .where('totp_secret', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Records that a code of this time step was accepted; false when one of it (or a later step) already
 * was: the same code is never accepted twice, even by two instances at once.
 */
export async function claimTotpStep(db: Kysely<Database>, id: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('admins')
    .set({ totp_last_step: step })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function clearTotp(db: Kysely<Database>, id: string, nowMs: number): Promise<void> {
  await db
    .updateTable('admins')
    .set({
      totp_secret: null,
      totp_pending_secret: null,
      totp_enabled_at_ms: null,
      totp_last_step: null,
      updated_at_ms: nowMs,
    })
    .where('id', '=', id)
    .execute();
  await db.deleteFrom('admin_recovery_codes').where('admin_id', '=', id).execute();
}

export async function replaceRecoveryCodes(
  db: Kysely<Database>,
  adminId: string,
  rows: { id: string; code_hash: string }[],
  nowMs: number,
): Promise<void> {
  await db.deleteFrom('admin_recovery_codes').where('admin_id', '=', adminId).execute();
  await db
    .insertInto('admin_recovery_codes')
    .values(rows.map((r) => ({ ...r, admin_id: adminId, created_at_ms: nowMs, used_at_ms: null })))
    .execute();
}

/** Marks an unused recovery code used; false when there is none with this hash (or it was used). */
export async function useRecoveryCode(
  db: Kysely<Database>,
  adminId: string,
  codeHash: string,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('admin_recovery_codes')
    .set({ used_at_ms: nowMs })
    .where('admin_id', '=', adminId)
    .where('code_hash', '=', codeHash)
    .where('used_at_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function unusedRecoveryCodes(db: Kysely<Database>, adminId: string): Promise<number> {
  const row = await db
    .selectFrom('admin_recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('admin_id', '=', adminId)
    .where('used_at_ms', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function setStaffPassword(db: Kysely<Database>, id: string, passwordHash: string, nowMs: number) {
  await db
    .updateTable('admins')
    .set({ password_hash: passwordHash, updated_at_ms: nowMs })
    .where('id', '=', id)
    .execute();
}
