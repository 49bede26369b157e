import { deleteAdminSessionsOf } from '../admin/store.js';
import type { AppContext } from '../app-context.js';
import { checkEmail, checkPassword } from '../clients/clients.js';
import { findClientByEmail, updateClient } from '../clients/store.js';
import { companyData, queueMail } from '../mail/compose.js';
import { hashPassword } from '../platform/crypto/password.js';
import { randomSecret, sha256Hex } from '../platform/crypto/tokens.js';
import { AppError } from '../platform/http/errors.js';
import type { RateRule } from '../platform/ratelimit/store.js';
import { findStaffByEmail, setStaffPassword } from '../staff/store.js';
import { insertReset, takeReset } from './reset-store.js';
import { revokeAllApiTokens, revokeAllSessions } from './store.js';

/**
 * Password reset: a single-use token, valid RESET_TTL_MS, emailed to the address and stored only
 * as its SHA-256. Asking answers the same whether or not the address has an account (nothing to
 * learn from it); using the token sets the password and ends every session, refresh token and
 * API token of the account, since whoever had them may not be its owner. Both are throttled
 * per address (and asking per email from an address), apart from the API rate limit.
 */
export const RESET_TTL_MS = 30 * 60_000;

export const RESET_RULES = {
  requestEmailAddress: { points: 5, durationS: 15 * 60 } satisfies RateRule,
  requestAddress: { points: 20, durationS: 15 * 60 } satisfies RateRule,
  confirmAddress: { points: 20, durationS: 15 * 60 } satisfies RateRule,
};

type Deps = Pick<AppContext, 'db' | 'clock' | 'settings' | 'rateLimits' | 'passwords'>;

async function throttle(deps: Pick<AppContext, 'rateLimits'>, checks: [string, string, RateRule][]): Promise<void> {
  for (const [bucket, key, rule] of checks) {
    const decision = await deps.rateLimits.consume(bucket, key, rule);
    if (!decision.allowed) {
      throw new AppError(
        'rate_limited',
        `Too many password reset attempts from this address. Try again in ${decision.resetS} seconds.`,
        {
          headers: { 'retry-after': String(decision.resetS) },
        },
      );
    }
  }
}

const INVALID_TOKEN = () =>
  new AppError(
    'invalid_request',
    'The reset code is unknown, used or expired. Ask for a new one: POST /api/v1/auth/password-reset.',
    {
      errors: [{ field: 'body.token', message: 'is unknown, used or expired' }],
    },
  );

/** Emails a reset code if the address has an account; says nothing either way. */
export async function requestPasswordReset(deps: Deps, input: { email: string; ip: string }): Promise<void> {
  const email = input.email.trim().toLowerCase();
  await throttle(deps, [
    ['reset-request-ip', input.ip, RESET_RULES.requestAddress],
    ['reset-request-email-ip', `${email}\0${input.ip}`, RESET_RULES.requestEmailAddress],
  ]);
  const client = await findClientByEmail(deps.db.kysely, email);
  if (client?.status !== 'active' || client.is_demo === 1) return;
  const token = randomSecret(32);
  const now = deps.clock.nowMs();
  await deps.db.kysely.transaction().execute(async (trx) => {
    const tokenHash = sha256Hex(token);
    await insertReset(trx, {
      tokenHash,
      subjectType: 'client',
      subjectId: client.id,
      expiresAtMs: now + RESET_TTL_MS,
      nowMs: now,
    });
    await queueMail(trx, now, {
      key: `reset:${tokenHash}`,
      template: 'password_reset',
      to: client.email,
      clientId: client.id,
      data: {
        company: companyData(deps.settings.snapshot),
        user: { name: client.name, email: client.email },
        reset: {
          token,
          minutes: RESET_TTL_MS / 60_000,
          how: 'Enter it where you asked for the reset, with your new password (or send it to POST /api/v1/auth/password-reset/confirm).',
        },
      },
    });
  });
}

/** Sets the new password with a reset code, ending every session and API token of the account. */
export async function confirmPasswordReset(
  deps: Deps,
  input: { token: string; newPassword: string; ip: string },
): Promise<void> {
  await throttle(deps, [['reset-confirm-ip', input.ip, RESET_RULES.confirmAddress]]);
  checkPassword(input.newPassword, 'body.new_password');
  const hash = await hashPassword(input.newPassword);
  const now = deps.clock.nowMs();
  const clientId = await deps.db.kysely.transaction().execute(async (trx) => {
    const id = await takeReset(trx, sha256Hex(input.token), 'client', now);
    if (!id) throw INVALID_TOKEN();
    await updateClient(trx, id, { password_hash: hash, updated_at_ms: now });
    await revokeAllSessions(trx, id, now);
    await revokeAllApiTokens(trx, id, now);
    return id;
  });
  deps.passwords.forget(clientId);
}

/**
 * An admin's reset from the shell: the code is emailed when SMTP is configured, otherwise handed
 * back to print (whoever runs `portico` on the server already has the database).
 */
export async function requestAdminReset(
  deps: Pick<AppContext, 'db' | 'clock' | 'settings'>,
  email: string,
): Promise<{ emailed: boolean; token: string | null; to: string }> {
  const address = checkEmail(email);
  const admin = await findStaffByEmail(deps.db.kysely, address);
  if (!admin) throw new AppError('not_found', `No admin has the email ${address}.`);
  const settings = deps.settings.snapshot;
  const emailed = settings['email.smtp_url'] !== '' && settings['email.from'] !== '';
  const token = randomSecret(32);
  const now = deps.clock.nowMs();
  await deps.db.kysely.transaction().execute(async (trx) => {
    const tokenHash = sha256Hex(token);
    await insertReset(trx, {
      tokenHash,
      subjectType: 'admin',
      subjectId: admin.id,
      expiresAtMs: now + RESET_TTL_MS,
      nowMs: now,
    });
    if (emailed) {
      await queueMail(trx, now, {
        key: `reset:${tokenHash}`,
        template: 'password_reset',
        to: admin.email,
        data: {
          company: companyData(settings),
          user: { name: admin.name, email: admin.email },
          reset: {
            token,
            minutes: RESET_TTL_MS / 60_000,
            how: `On the server: portico admin reset-password ${admin.email} --token <code> --password-stdin`,
          },
        },
      });
    }
  });
  return { emailed, token: emailed ? null : token, to: admin.email };
}

export async function confirmAdminReset(
  deps: Pick<AppContext, 'db' | 'clock' | 'adminPasswords'>,
  input: { token: string; newPassword: string },
): Promise<void> {
  checkPassword(input.newPassword);
  const hash = await hashPassword(input.newPassword);
  const now = deps.clock.nowMs();
  const adminId = await deps.db.kysely.transaction().execute(async (trx) => {
    const id = await takeReset(trx, sha256Hex(input.token), 'admin', now);
    if (!id)
      throw new AppError(
        'invalid_request',
        'The reset code is unknown, used or expired. Ask for a new one with `portico admin reset-password <email>`.',
      );
    await setStaffPassword(trx, id, hash, now);
    await deleteAdminSessionsOf(trx, id);
    return id;
  });
  deps.adminPasswords.forget(adminId);
}
