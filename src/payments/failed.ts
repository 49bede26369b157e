import type { Kysely } from 'kysely';
import { audit } from '../audit/audit.js';
import type { Database } from '../platform/db/schema.js';
import { type PaymentAttemptRow, updatePaymentAttempt } from './store.js';

/**
 * Every place a payment fails comes here, in the failure's transaction: the attempt is marked
 * failed with the reason and its next try, and the failure audited. This is where a "payment
 * failed" domain event is to be published (in the same transaction) once the outbox exists.
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
