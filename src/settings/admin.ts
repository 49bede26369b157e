import { readFileSync } from 'node:fs';
import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { resolveInstallPath } from '../config.js';
import { AppError } from '../platform/http/errors.js';
import {
  isSettingKey,
  parseSetting,
  SECRET_SETTINGS,
  SETTINGS,
  SettingError,
  type SettingKey,
  withoutPassword,
} from './definitions.js';

/**
 * The business settings the admin area's Settings pages show and change: billing automation,
 * payments, email and branding. (The User API's own settings have their page and routes in
 * src/userapi/settings-admin.ts.)
 *
 * Some of them are credentials. The Stripe keys are sealed in the database; the SMTP URL carries
 * the mail server's password. None of them is ever answered: the Admin API says whether one is
 * set and, for the SMTP URL, shows it with its password left out, so that an admin's browser, a
 * proxy's log or a screenshot never holds the secret.
 */
export const SETTING_GROUPS = {
  billing: [
    'billing.invoice_number_format',
    'billing.time_zone',
    'billing.invoice_days_before_due',
    'billing.apply_credit',
    'billing.reminder_days_before',
    'billing.reminder_days_after',
    'billing.suspend_after_days',
    'billing.terminate_after_days',
    'billing.cancel_unpaid_orders_after_days',
    'billing.run_every_minutes',
    'billing.tax_rates',
  ],
  payments: [
    'payments.credit',
    'payments.bank_transfer',
    'payments.bank_details',
    'payments.stripe',
    'payments.stripe_secret_key',
    'payments.stripe_webhook_secret',
    'payments.stripe_return_url',
    'payments.retry_days',
  ],
  email: ['email.smtp_url', 'email.from', 'email.client_area_url'],
  branding: ['company.name', 'company.address', 'company.tax_id', 'company.logo_path', 'email.logo_url'],
} as const satisfies Record<string, readonly SettingKey[]>;

export type SettingGroup = keyof typeof SETTING_GROUPS;
export const SETTING_GROUP_NAMES = Object.keys(SETTING_GROUPS) as SettingGroup[];

/** Settings whose value is never answered: the sealed API keys and the SMTP URL (its password). */
export const WRITE_ONLY_SETTINGS: ReadonlySet<string> = new Set([...SECRET_SETTINGS, 'email.smtp_url']);

const GROUP_OF = new Map<string, SettingGroup>(
  SETTING_GROUP_NAMES.flatMap((group) => SETTING_GROUPS[group].map((key) => [key, group] as const)),
);

export function businessSettings(app: Pick<AppContext, 'settings'>) {
  const stored = app.settings.storedValues();
  return {
    items: SETTING_GROUP_NAMES.flatMap((group) =>
      SETTING_GROUPS[group].map((key) => {
        const raw = stored[key];
        const writeOnly = WRITE_ONLY_SETTINGS.has(key);
        const value = raw ?? SETTINGS[key].default;
        return {
          key,
          group,
          value: writeOnly ? null : value,
          is_default: raw === undefined,
          write_only: writeOnly,
          is_set: value !== '',
          redacted: key === 'email.smtp_url' && value !== '' ? withoutPassword(value) : null,
          description: SETTINGS[key].description,
        };
      }),
    ),
  };
}

type FieldError = { field: string; message: string };

/** Checks every key and value, and what they need of each other, before anything is written. */
function checkPatch(app: Pick<AppContext, 'settings' | 'config'>, patch: Record<string, string>): void {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (!GROUP_OF.has(key) || !isSettingKey(key)) {
      errors.push({
        field: `body.${key}`,
        message: 'is not one of the settings changed here (GET /settings lists them)',
      });
      continue;
    }
    try {
      parseSetting(key, value);
    } catch (error) {
      if (error instanceof SettingError) errors.push({ field: `body.${key}`, message: error.message });
      else throw error;
    }
    if (key === 'company.logo_path' && value !== '') {
      const problem = logoProblem(app, value);
      if (problem) errors.push({ field: `body.${key}`, message: problem });
    }
  }
  // Switching card payments on without the key would show clients a button that cannot work.
  const after = (key: SettingKey) => patch[key] ?? app.settings.storedValues()[key] ?? SETTINGS[key].default;
  const stripeOn = 'payments.stripe' in patch && safeParse('payments.stripe', after('payments.stripe')) === true;
  if (stripeOn && after('payments.stripe_secret_key') === '') {
    errors.push({
      field: 'body.payments.stripe',
      message: 'cannot be switched on without payments.stripe_secret_key: enter the Stripe secret key first.',
    });
  }
  if (errors.length)
    throw new AppError('validation_failed', errors.map((e) => `${e.field}: ${e.message}`).join(' '), { errors });
}

/**
 * Invoices are printed without a logo they cannot read (with a warning in the log); the admin
 * saving the path is told at once instead.
 */
function logoProblem(app: Pick<AppContext, 'config'>, path: string): string | undefined {
  const full = resolveInstallPath(app.config, path);
  let head: Buffer;
  try {
    head = readFileSync(full).subarray(0, 8);
  } catch (error) {
    return `cannot be read at ${full} (${(error as NodeJS.ErrnoException).code ?? 'error'}): give the path of a PNG or JPEG file on the server, or leave it empty.`;
  }
  const png = head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const jpeg = head[0] === 0xff && head[1] === 0xd8;
  return png || jpeg ? undefined : `is not a PNG or JPEG file (${full}).`;
}

function safeParse(key: SettingKey, raw: string): unknown {
  try {
    return parseSetting(key, raw);
  } catch {
    return undefined;
  }
}

export async function updateBusinessSettings(
  app: Pick<AppContext, 'settings' | 'db' | 'clock' | 'watcher' | 'config'>,
  patch: Record<string, string>,
  actor: { id: string; ip: string; requestId: string },
): Promise<void> {
  checkPatch(app, patch);
  await saveSettings(app, patch, actor);
}

/**
 * Saves checked settings, audits the change (the keys, never the values: a secret must not land
 * in the audit log either) and reloads them on this instance at once (the others within 250 ms).
 */
export async function saveSettings(
  app: Pick<AppContext, 'settings' | 'db' | 'clock' | 'watcher'>,
  patch: Record<string, string>,
  actor: { id: string; ip: string; requestId: string },
): Promise<void> {
  try {
    for (const [key, value] of Object.entries(patch)) await app.settings.set(key, value, app.clock.nowMs());
  } catch (error) {
    if (error instanceof SettingError)
      throw new AppError('validation_failed', error.message, { errors: [{ field: 'body', message: error.message }] });
    throw error;
  }
  await audit(app.db.kysely, app.clock.nowMs(), {
    actorType: 'admin',
    actorId: actor.id,
    action: 'settings.update',
    ip: actor.ip,
    requestId: actor.requestId,
    details: { keys: Object.keys(patch) },
  });
  await app.watcher.check(true);
}
