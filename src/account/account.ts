import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../app-context.js';
import { revokeAllSessions } from '../auth/store.js';
import { type ClientRow, findClientById, updateClient } from '../clients/store.js';
import { hashPassword, verifyPassword } from '../platform/crypto/password.js';
import { iso } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';
import type { Account, AccountPatch } from './schemas.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'passwords'>;

function toAccount(row: ClientRow): Static<typeof Account> {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    company: row.company,
    phone: row.phone,
    country: row.country,
    status: row.status,
    credit: { amount_minor: row.credit_minor, currency: row.currency },
    created_at: iso(row.created_at_ms),
  };
}

async function load(deps: Deps, clientId: string): Promise<ClientRow> {
  const row = await findClientById(deps.db.kysely, clientId);
  // The principal was just verified, so a missing row is a deleted account mid-request.
  if (!row) throw new AppError('unauthorized', 'This account no longer exists.');
  return row;
}

export async function getAccount(deps: Deps, clientId: string): Promise<Static<typeof Account>> {
  return toAccount(await load(deps, clientId));
}

export async function patchAccount(deps: Deps, clientId: string, patch: Static<typeof AccountPatch>) {
  const changes = { ...patch, updated_at_ms: deps.clock.nowMs() };
  if (changes.name !== undefined) changes.name = changes.name.trim();
  await updateClient(deps.db.kysely, clientId, changes);
  return getAccount(deps, clientId);
}

/**
 * Changing the password ends every login session (JWTs and refresh tokens stop working at once)
 * and drops cached Basic verifications; personal API tokens are separate credentials and stay.
 */
export async function changePassword(
  deps: Deps,
  clientId: string,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const row = await load(deps, clientId);
  if (!(await verifyPassword(input.currentPassword, row.password_hash))) {
    throw new AppError('invalid_request', 'The current password is wrong.', {
      errors: [{ field: 'body.current_password', message: 'does not match' }],
    });
  }
  if (input.newPassword === input.currentPassword) {
    throw new AppError('validation_failed', 'The new password must differ from the current one.', {
      errors: [{ field: 'body.new_password', message: 'must differ from the current password' }],
    });
  }
  const now = deps.clock.nowMs();
  const hash = await hashPassword(input.newPassword);
  await deps.db.kysely.transaction().execute(async (trx) => {
    await updateClient(trx, clientId, { password_hash: hash, updated_at_ms: now });
    await revokeAllSessions(trx, clientId, now);
  });
  deps.passwords.forget(clientId);
}
