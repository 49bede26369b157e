import type { Kysely } from 'kysely';
import { checkEmail, checkPassword } from '../clients/clients.js';
import type { Clock } from '../platform/clock.js';
import { hashPassword } from '../platform/crypto/password.js';
import type { Database } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { anyStaff, insertStaff, staffEmailTaken } from './store.js';

/**
 * Staff accounts: the provider's admins, created from the CLI (`portico admin create`), who run the
 * admin area and the Admin API (src/admin/ guards those). Stored in the admins table.
 */

/** Whether any admin exists (the start-up banner says how to create the first). */
export async function hasAdmin(db: Kysely<Database>): Promise<boolean> {
  return anyStaff(db);
}

export async function createAdmin(
  deps: { db: Kysely<Database>; clock: Clock },
  input: { email: string; name: string; password: string },
): Promise<{ id: string; email: string }> {
  const email = checkEmail(input.email);
  checkPassword(input.password);
  if (await staffEmailTaken(deps.db, email))
    throw new AppError('conflict', `An admin with the email ${email} already exists.`);
  const now = deps.clock.nowMs();
  const id = newId('admin', now);
  await insertStaff(deps.db, {
    id,
    email,
    name: input.name.trim() || email,
    password_hash: await hashPassword(input.password),
    created_at_ms: now,
    updated_at_ms: now,
  });
  return { id, email };
}
