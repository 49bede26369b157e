import type { Kysely } from 'kysely';
import { checkEmail, checkPassword } from '../clients/clients.js';
import type { Clock } from '../platform/clock.js';
import { hashPassword } from '../platform/crypto/password.js';
import type { Database } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';

/** Whether any admin exists (the start-up banner says how to create the first). */
export async function hasAdmin(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('admins').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** Admins of the provider: created from the CLI (`portico admin create`), they run the admin area. */
export async function createAdmin(
  deps: { db: Kysely<Database>; clock: Clock },
  input: { email: string; name: string; password: string },
): Promise<{ id: string; email: string }> {
  const email = checkEmail(input.email);
  checkPassword(input.password);
  const existing = await deps.db.selectFrom('admins').select('id').where('email', '=', email).executeTakeFirst();
  if (existing) throw new AppError('conflict', `An admin with the email ${email} already exists.`);
  const now = deps.clock.nowMs();
  const id = newId('admin', now);
  await deps.db
    .insertInto('admins')
    .values({
      id,
      email,
      name: input.name.trim() || email,
      password_hash: await hashPassword(input.password),
      created_at_ms: now,
      updated_at_ms: now,
    })
    .execute();
  return { id, email };
}
