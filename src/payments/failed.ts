import type { Kysely } from 'kysely';
import { audit } from '../audit/audit.js';
import { recordPaymentFailed } from '../events/events.js';
import type { Database } from '../platform/db/schema.js';
import { type PaymentAttemptRow, updatePaymentAttempt } from './store.js';

/**
 * Every place a payment fails comes here, in the failure's transaction: the attempt is marked
 * failed with the reason and its next try, the failure audited, and a `payment.failed` event
 * recorded (the client is emailed from it).
 */
export async function onPaymentFailed(
  trx: Kysely<Database>,
  nowMs: number,
  input: { attempt: PaymentAttemptRow; reason: string; nextAttemptAtMs: number | null },
): Promise<void> {
  const { attempt } = input;
  await updatePaymentAttempt(trx, attempt.id, {
    status: 'failed',
    error: input.reason,
    next_attempt_at_ms: input.nextAttemptAtMs,
    updated_at_ms: nowMs,
  });
  await recordPaymentFailed(trx, nowMs, {
    clientId: attempt.client_id,
    invoiceId: attempt.invoice_id,
    reason: input.reason,
    attemptId: attempt.id,
  });
  await audit(trx, nowMs, {
    actorType: 'system',
    actorId: null,
    action: 'payment.failed',
    targetType: 'invoice',
    targetId: attempt.invoice_id,
    ip: null,
    requestId: null,
    details: {
      attemptId: attempt.id,
      attempt: attempt.attempt,
      purpose: attempt.purpose,
      reason: input.reason,
      nextAttemptAtMs: input.nextAttemptAtMs,
    },
  });
}
