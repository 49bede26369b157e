import type { Kysely } from 'kysely';
import { deleteAdminSessionsOf } from '../admin/store.js';
import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { checkEmail, checkPassword } from '../clients/clients.js';
import { type ClientRow, findClientByEmail, findClientById, updateClient } from '../clients/store.js';
import { companyData, queueMail } from '../mail/compose.js';
import { hashPassword } from '../platform/crypto/password.js';
import { randomSecret, sha256Hex } from '../platform/crypto/tokens.js';
import type { Database } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/http/errors.js';
import type { RateRule } from '../platform/ratelimit/store.js';
import { findStaff, findStaffByEmail, type StaffRow, setStaffPassword } from '../staff/store.js';
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

/** Who sent a reset from the Admin API, for the audit log. */
export interface ResetActor {
  type: 'admin' | 'cli';
  id: string | null;
  ip?: string | null;
  requestId?: string | null;
}

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
  await queueClientReset(
    deps,
    client,
    'Enter it where you asked for the reset, with your new password (or send it to POST /api/v1/auth/password-reset/confirm).',
  );
}

/** A new reset code for a client, queued as the password_reset email (it replaces any earlier code). */
async function queueClientReset(
  deps: Pick<AppContext, 'db' | 'clock' | 'settings'>,
  client: ClientRow,
  how: string,
  after?: (trx: Kysely<Database>) => Promise<void>,
): Promise<{ expiresAtMs: number }> {
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
          how,
        },
      },
    });
    await after?.(trx);
  });
  return { expiresAtMs: now + RESET_TTL_MS };
}

/**
 * An admin emails a client the same reset code the client could ask for themselves (a client who
 * phoned support, say). Only active, real clients: a suspended or closed client could not log in
 * with a new password, and demo clients have no mailbox. Audited with the admin who did it.
 */
export async function sendClientReset(
  deps: Pick<AppContext, 'db' | 'clock' | 'settings'>,
  actor: ResetActor,
  clientId: string,
): Promise<{ to: string; expiresAtMs: number }> {
  const client = await findClientById(deps.db.kysely, clientId);
  if (!client) throw notFound(`The client ${clientId}`);
  if (client.is_demo === 1)
    throw new AppError('conflict', `${client.email} is a demo client: it has no mailbox to send a reset code to.`);
  if (client.status !== 'active') {
    throw new AppError(
      'conflict',
      `${client.email} is ${client.status}: a new password would not let them log in. Unsuspend the client first.`,
    );
  }
  const how =
    'Our staff sent you this code. Enter it with your new password where you reset your password in our client area (or send it to POST /api/v1/auth/password-reset/confirm).';
  const { expiresAtMs } = await queueClientReset(deps, client, how, (trx) =>
    audit(trx, deps.clock.nowMs(), {
      actorType: actor.type,
      actorId: actor.id,
      action: 'client.password_reset_sent',
      targetType: 'client',
      targetId: client.id,
      ip: actor.ip ?? null,
      requestId: actor.requestId ?? null,
    }),
  );
  return { to: client.email, expiresAtMs };
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

const ADMIN_HOW = (email: string) =>
  `Enter it in the admin area (“Forgot your password?” on its login page) with your new password, or on the server: portico admin reset-password ${email} --token <code> --password-stdin`;

function emailConfigured(settings: AppContext['settings']['snapshot']): boolean {
  return settings['email.smtp_url'] !== '' && settings['email.from'] !== '';
}

/**
 * A new reset code for a staff member (it replaces any earlier one), emailed when `emailed`. The
 * code is handed back only to the shell's caller, who has the server anyway.
 */
async function issueAdminReset(
  deps: Pick<AppContext, 'db' | 'clock' | 'settings'>,
  admin: StaffRow,
  emailed: boolean,
  after?: (trx: Kysely<Database>) => Promise<void>,
): Promise<{ token: string; expiresAtMs: number }> {
  const settings = deps.settings.snapshot;
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
          reset: { token, minutes: RESET_TTL_MS / 60_000, how: ADMIN_HOW(admin.email) },
        },
      });
    }
    await after?.(trx);
  });
  return { token, expiresAtMs: now + RESET_TTL_MS };
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
  const emailed = emailConfigured(deps.settings.snapshot);
  const { token } = await issueAdminReset(deps, admin, emailed);
  return { emailed, token: emailed ? null : token, to: admin.email };
}

/**
 * "Forgot your password?" on the admin area's login page: the same answer whether or not the
 * address is a staff account, throttled like the clients' reset (in buckets of its own). The code
 * only ever goes by email: without SMTP nothing is made (nobody could receive it), and a disabled
 * account gets nothing (it could not log in with the new password).
 */
export async function requestAdminResetByEmail(
  deps: Pick<AppContext, 'db' | 'clock' | 'settings' | 'rateLimits'>,
  input: { email: string; ip: string },
): Promise<void> {
  const email = input.email.trim().toLowerCase();
  await throttle(deps, [
    ['admin-reset-request-ip', input.ip, RESET_RULES.requestAddress],
    ['admin-reset-request-email-ip', `${email}\0${input.ip}`, RESET_RULES.requestEmailAddress],
  ]);
  if (!emailConfigured(deps.settings.snapshot)) return;
  const admin = await findStaffByEmail(deps.db.kysely, email);
  if (admin?.status !== 'active') return;
  await issueAdminReset(deps, admin, true);
}

/**
 * An owner emails a staff member a reset code (from the staff page). Refused without SMTP: the
 * code must reach the staff member only, so it is never shown to the owner who asked.
 */
export async function sendAdminReset(
  deps: Pick<AppContext, 'db' | 'clock' | 'settings'>,
  actor: ResetActor,
  adminId: string,
): Promise<{ to: string; expiresAtMs: number }> {
  const admin = await findStaff(deps.db.kysely, adminId);
  if (!admin) throw notFound(`The staff member ${adminId}`);
  if (admin.status !== 'active')
    throw new AppError('conflict', `${admin.email} is disabled: enable them first, then send the reset.`);
  if (!emailConfigured(deps.settings.snapshot)) {
    throw new AppError(
      'conflict',
      `Email is not set up (email.smtp_url and email.from), so the code cannot reach ${admin.email}. On the server, run: portico admin reset-password ${admin.email}`,
    );
  }
  const { expiresAtMs } = await issueAdminReset(deps, admin, true, (trx) =>
    audit(trx, deps.clock.nowMs(), {
      actorType: actor.type,
      actorId: actor.id,
      action: 'staff.password_reset_sent',
      targetType: 'admin',
      targetId: admin.id,
      ip: actor.ip ?? null,
      requestId: actor.requestId ?? null,
    }),
  );
  return { to: admin.email, expiresAtMs };
}

/** The admin area's confirm form: throttled per address like the clients' confirm, then the same as the shell's. */
export async function confirmAdminResetFrom(
  deps: Pick<AppContext, 'db' | 'clock' | 'adminPasswords' | 'rateLimits'>,
  input: { token: string; newPassword: string; ip: string },
): Promise<void> {
  await throttle(deps, [['admin-reset-confirm-ip', input.ip, RESET_RULES.confirmAddress]]);
  await confirmAdminReset(deps, input);
}

/**
 * Sets a staff member's password with a reset code and ends their admin-area sessions. Audited:
 * from the admin area (`ip` given) as the staff member themselves, from the shell as the CLI.
 */
export async function confirmAdminReset(
  deps: Pick<AppContext, 'db' | 'clock' | 'adminPasswords'>,
  input: { token: string; newPassword: string; ip?: string },
): Promise<void> {
  checkPassword(input.newPassword, 'body.new_password');
  const hash = await hashPassword(input.newPassword);
  const now = deps.clock.nowMs();
  const adminId = await deps.db.kysely.transaction().execute(async (trx) => {
    const id = await takeReset(trx, sha256Hex(input.token), 'admin', now);
    if (!id)
      throw new AppError(
        'invalid_request',
        'The reset code is unknown, used or expired. Ask for a new one (“Forgot your password?” on the admin area’s login page, or `portico admin reset-password <email>`).',
        { errors: [{ field: 'body.token', message: 'is unknown, used or expired' }] },
      );
    await setStaffPassword(trx, id, hash, now);
    await deleteAdminSessionsOf(trx, id);
    await audit(trx, now, {
      actorType: input.ip === undefined ? 'cli' : 'admin',
      actorId: input.ip === undefined ? null : id,
      action: 'staff.password_reset',
      targetType: 'admin',
      targetId: id,
      ip: input.ip ?? null,
    });
    return id;
  });
  deps.adminPasswords.forget(adminId);
}
