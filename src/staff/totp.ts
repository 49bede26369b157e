import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { renderSVG } from 'uqr';
import type { AdminPrincipal } from '../admin/principal.js';
import type { AppContext } from '../app-context.js';
import { sha256Hex } from '../platform/crypto/tokens.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { auditStaff } from './staff.js';
import {
  claimTotpStep,
  enableTotp,
  findStaff,
  replaceRecoveryCodes,
  type StaffRow,
  setPendingTotp,
  unusedRecoveryCodes,
  useRecoveryCode,
} from './store.js';

/**
 * Two-factor login for staff: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, as every
 * authenticator app reads an otpauth:// URI), one step of clock drift either way, and ten
 * single-use recovery codes. A code is accepted once: the last accepted time step is stored, and a
 * code of that step or an earlier one is refused (docs/adr/0011).
 */
const PERIOD_S = 30;
const DRIFT_STEPS = 1;
const RECOVERY_CODES = 10;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets' | 'settings' | 'throttle'>;

function totp(secretBase32: string, label: string, issuer: string): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_S,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The time step a six-digit code belongs to (within the drift allowed), or null when it matches none. */
function stepOf(secretBase32: string, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secretBase32, 'x', 'x').validate({ token: code, timestamp: nowMs, window: DRIFT_STEPS });
  return delta === null ? null : Math.floor(nowMs / 1000 / PERIOD_S) + delta;
}

/** `abcde-fghij`: 50 random bits, typed by hand when the phone is gone. */
function recoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => BASE32[b % 32]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

function issuerOf(app: Pick<AppContext, 'settings'>): string {
  return app.settings.snapshot['userapi.docs.company_name'] || 'Portico';
}

async function requireRow(app: Deps, adminId: string): Promise<StaffRow> {
  const row = await findStaff(app.db.kysely, adminId);
  if (!row) throw new AppError('unauthorized', 'Your staff account no longer exists.');
  return row;
}

const ALREADY =
  'Two-factor login is already set up for you. To set it up again (a new phone), an owner resets it first: DELETE /admin/api/v1/staff/{id}/totp or portico admin reset-2fa <email>.';

/**
 * Starts enrolment: a new secret, kept (sealed) as pending until a code from it is confirmed. The
 * secret, its otpauth:// URI and that URI as a QR code (SVG) go to the staff member only.
 */
export async function startTotpEnrolment(app: Deps, admin: AdminPrincipal) {
  const row = await requireRow(app, admin.adminId);
  if (row.totp_enabled_at_ms !== null) throw new AppError('conflict', ALREADY);
  const secret = new Secret({ size: 20 }).base32;
  await setPendingTotp(app.db.kysely, row.id, app.secrets().seal(secret), app.clock.nowMs());
  const uri = totp(secret, row.email, issuerOf(app)).toString();
  return { secret, otpauth_uri: uri, qr_svg: renderSVG(uri) };
}

/**
 * Confirms enrolment with a code from the pending secret: two-factor login is on from now, and the
 * ten recovery codes are returned, this once (only their hashes are kept).
 */
export async function confirmTotpEnrolment(
  app: Deps,
  admin: AdminPrincipal,
  code: string,
  request: { ip: string; requestId?: string },
): Promise<{ recovery_codes: string[] }> {
  const row = await requireRow(app, admin.adminId);
  if (row.totp_enabled_at_ms !== null) throw new AppError('conflict', ALREADY);
  if (!row.totp_pending_secret)
    throw new AppError('conflict', 'Start the enrolment first: POST /admin/api/v1/session/totp gives the secret.');
  const throttleKey = `admin:${row.email}`;
  await app.throttle.check(throttleKey, request.ip);
  const now = app.clock.nowMs();
  const step = stepOf(app.secrets().open(row.totp_pending_secret), code, now);
  if (step === null) {
    await app.throttle.fail(throttleKey, request.ip);
    throw new AppError(
      'invalid_request',
      'That is not the current code of the secret you were given: check the authenticator app’s entry (and the phone’s clock) and send the code it shows now.',
      { errors: [{ field: 'body.code', message: 'is not the current code' }] },
    );
  }
  const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
  await app.db.kysely.transaction().execute(async (trx) => {
    const enabled = await enableTotp(trx, row.id, { pending: row.totp_pending_secret as string, step, nowMs: now });
    if (!enabled)
      throw new AppError('conflict', 'The enrolment changed meanwhile (started again elsewhere): start it again.');
    await replaceRecoveryCodes(
      trx,
      row.id,
      codes.map((c) => ({ id: newId('recoveryCode', now), code_hash: sha256Hex(normaliseRecoveryCode(c)) })),
      now,
    );
    await auditStaff(
      app,
      trx,
      { type: 'admin', id: row.id, ip: request.ip, requestId: request.requestId ?? null },
      'staff.totp_enrol',
      row.id,
    );
  });
  return { recovery_codes: codes };
}

/**
 * The login's second step for staff with two-factor login: no code → 401 `totp_required` (the
 * password was right: ask for the code); a wrong or replayed code → 401 `totp_invalid`, counted
 * as a failed login. A six-digit code is a TOTP code; anything else is tried as a recovery code.
 */
export async function checkSecondFactor(
  app: Deps,
  admin: AdminPrincipal,
  code: string | undefined,
  request: { ip: string },
): Promise<void> {
  if (!admin.totpEnrolled) return;
  if (code === undefined || code.trim() === '') {
    throw new AppError(
      'totp_required',
      'Enter the 6-digit code from your authenticator app (or one of your recovery codes) as totp_code.',
    );
  }
  const throttleKey = `admin:${admin.email}`;
  await app.throttle.check(throttleKey, request.ip);
  const row = await requireRow(app, admin.adminId);
  const now = app.clock.nowMs();
  let ok = false;
  if (row.totp_secret) {
    const value = code.trim();
    if (/^\d{6}$/.test(value)) {
      const step = stepOf(app.secrets().open(row.totp_secret), value, now);
      ok = step !== null && (await claimTotpStep(app.db.kysely, row.id, step));
    } else {
      ok = await useRecoveryCode(app.db.kysely, row.id, sha256Hex(normaliseRecoveryCode(value)), now);
      // A recovery code in use usually means a lost phone: the audit log shows when and from where.
      if (ok) {
        await auditStaff(
          app,
          app.db.kysely,
          { type: 'admin', id: row.id, ip: request.ip },
          'staff.recovery_code_used',
          row.id,
          {
            left: await unusedRecoveryCodes(app.db.kysely, row.id),
          },
        );
      }
    }
  }
  if (!ok) {
    await app.throttle.fail(throttleKey, request.ip);
    throw new AppError(
      'totp_invalid',
      'The code is wrong or was already used. Wait for the next code of your authenticator app, or use one of your recovery codes.',
    );
  }
}
