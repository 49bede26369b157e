import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { checkText, decodeCursor, iso, toPage } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { formatAmount } from '../platform/money.js';
import type { Actor } from './admin.js';
import { requireClient } from './admin.js';
import { type CreditEntryRow, changeCredit, findClientById, listCreditEntries } from './store.js';

/**
 * The credit ledger seen from outside: an admin's adjustment and the pages both APIs show. Credit
 * only ever changes through `changeCredit` (row + balance together), here with its audit entry in
 * the same transaction.
 */
type Deps = Pick<AppContext, 'db' | 'clock'>;

export function toCreditEntry(row: CreditEntryRow) {
  return {
    id: row.id,
    amount_minor: Number(row.amount_minor),
    balance_after_minor: Number(row.balance_after_minor),
    currency: row.currency,
    reason: row.reason,
    invoice_id: row.invoice_id,
    at: iso(Number(row.at_ms)),
  };
}

export function toAdminCreditEntry(row: CreditEntryRow) {
  return { ...toCreditEntry(row), actor_type: row.actor_type, actor_id: row.actor_id, payment_id: row.payment_id };
}

/** The balance and one page of the ledger, newest first. */
export async function pageCredit<Item>(
  deps: Pick<AppContext, 'db'>,
  clientId: string,
  options: { limit: number; cursor?: string | undefined },
  map: (row: CreditEntryRow) => Item,
) {
  const client = await findClientById(deps.db.kysely, clientId);
  if (!client) throw new AppError('not_found', `No client ${clientId}.`);
  const afterId = decodeCursor(options.cursor, 'credit');
  const rows = await listCreditEntries(deps.db.kysely, { clientId, afterId, limit: options.limit + 1 });
  return {
    balance: { amount_minor: Number(client.credit_minor), currency: client.currency },
    ...toPage(rows, options.limit, map),
  };
}

/**
 * Adds (positive) or removes (negative) credit in the client's currency, with a reason. Removing
 * more than the balance is refused with the balance; two removals at once cannot both spend it
 * (the balance moves in one conditional update).
 */
export async function adjustCredit(
  deps: Deps,
  idOrEmail: string,
  input: { amountMinor: number; reason: string },
  actor: Actor,
) {
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor === 0) {
    throw new AppError('validation_failed', 'The amount must be a whole number of minor units other than zero.', {
      errors: [{ field: 'amount_minor', message: 'must be a non-zero integer (positive adds, negative removes)' }],
    });
  }
  const reason = input.reason.trim();
  if (!reason) {
    throw new AppError('validation_failed', 'Say why the credit changes: a reason is required.', {
      errors: [{ field: 'reason', message: 'is required' }],
    });
  }
  checkText(reason, 'reason', 'block');
  const client = await requireClient(deps, idOrEmail);
  const now = deps.clock.nowMs();
  const entry = await deps.db.kysely.transaction().execute(async (trx) => {
    const row = await changeCredit(trx, {
      id: newId('credit', now),
      client_id: client.id,
      amount_minor: input.amountMinor,
      reason,
      actor_type: actor.type,
      actor_id: actor.id,
      invoice_id: null,
      payment_id: null,
      at_ms: now,
    });
    if (!row) {
      const current = await findClientById(trx, client.id);
      const balance = Number(current?.credit_minor ?? 0);
      throw new AppError(
        'conflict',
        `Cannot remove ${formatAmount(-input.amountMinor, client.currency)} ${client.currency}: the balance of ${client.email} is ${formatAmount(balance, client.currency)} ${client.currency}. Remove at most the balance.`,
        {
          errors: [
            {
              field: 'amount_minor',
              message: `exceeds the balance of ${formatAmount(balance, client.currency)} ${client.currency}`,
            },
          ],
        },
      );
    }
    await audit(trx, now, {
      actorType: actor.type,
      actorId: actor.id,
      action: input.amountMinor > 0 ? 'client.credit.add' : 'client.credit.remove',
      targetType: 'client',
      targetId: client.id,
      ip: actor.ip ?? null,
      requestId: actor.requestId ?? null,
      details: { entryId: row.id, amountMinor: row.amount_minor, currency: row.currency, reason },
    });
    return row;
  });
  return {
    entry: toAdminCreditEntry(entry),
    balance: { amount_minor: Number(entry.balance_after_minor), currency: entry.currency },
  };
}
