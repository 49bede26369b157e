import type { Kysely } from 'kysely';
import { recordEvent } from '../events/events.js';
import type { Clock } from '../platform/clock.js';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../platform/crypto/password.js';
import type { Database } from '../platform/db/schema.js';
import { checkText } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { type ClientRow, changeCredit, findClientByEmail, insertClient } from './store.js';

/** Creating clients, shared by the CLI, the demo seed and (later) sign-up and the Admin API. */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function checkEmail(email: string, field = 'email'): string {
  const value = normaliseEmail(email);
  checkText(value, field);
  if (!EMAIL.test(value) || value.length > 254) {
    throw new AppError('validation_failed', `"${email}" is not an email address.`, {
      errors: [{ field, message: 'must be an email address' }],
    });
  }
  return value;
}

export function checkPassword(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new AppError(
      'validation_failed',
      `The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long.`,
      {
        errors: [{ field, message: `must be ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters` }],
      },
    );
  }
}

export interface NewClient {
  email: string;
  name: string;
  password: string;
  company?: string | null;
  currency?: string;
  creditMinor?: number;
  isDemo?: boolean;
}

export async function createClient(deps: { db: Kysely<Database>; clock: Clock }, input: NewClient): Promise<ClientRow> {
  const email = checkEmail(input.email);
  checkPassword(input.password);
  if (!input.name.trim()) {
    throw new AppError('validation_failed', 'A client needs a name.', {
      errors: [{ field: 'name', message: 'is required' }],
    });
  }
  checkText(input.name, 'name');
  if (input.company) checkText(input.company, 'company');
  if (await findClientByEmail(deps.db, email)) {
    throw new AppError('conflict', `A client with the email ${email} already exists.`);
  }
  const now = deps.clock.nowMs();
  const row: ClientRow = {
    id: newId('client', now),
    email,
    name: input.name.trim(),
    company: input.company ?? null,
    phone: null,
    country: null,
    address: null,
    tax_id: null,
    password_hash: await hashPassword(input.password),
    status: 'active',
    credit_minor: 0,
    currency: input.currency ?? 'USD',
    is_demo: input.isDemo ? 1 : 0,
    created_at_ms: now,
    updated_at_ms: now,
  };
  await deps.db.transaction().execute(async (trx) => {
    await insertClient(trx, row);
    if (input.creditMinor) {
      const entry = await changeCredit(trx, {
        id: newId('credit', now),
        client_id: row.id,
        amount_minor: input.creditMinor,
        reason: 'Opening credit',
        actor_type: 'system',
        actor_id: null,
        invoice_id: null,
        payment_id: null,
        at_ms: now,
      });
      row.credit_minor = entry?.balance_after_minor ?? 0;
    }
    await recordEvent(trx, now, {
      type: 'client.created',
      key: row.id,
      clientId: row.id,
      payload: { demo: row.is_demo === 1 },
    });
  });
  return row;
}
