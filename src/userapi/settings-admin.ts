import type { AppContext } from '../app-context.js';
import { JwtKeyError, validateJwtKeyFile } from '../auth/jwt-keys.js';
import { AppError } from '../platform/http/errors.js';
import { saveSettings } from '../settings/admin.js';
import { isSettingKey, parseSetting, SettingError } from '../settings/definitions.js';

/** The settings the admin area's "Extras → User API" page shows and changes. */
const USERAPI_KEYS: readonly string[] = [
  'userapi.logging',
  'userapi.log_retention_days',
  'userapi.rate_limit',
  'userapi.auth_methods',
  'userapi.jwt_key_path',
  'userapi.docs.company_name',
  'userapi.docs.logo_url',
  'userapi.docs.intro',
  'webhooks.allow_private_targets',
  'admin.allowed_ips',
  'admin.require_totp_for',
  'trust_proxy',
];

export const userApiSettings = (app: Pick<AppContext, 'settings'>) => ({
  items: app.settings.list().filter((s) => USERAPI_KEYS.includes(s.key)),
});

/** Checks every key and value first, so a patch with one bad value changes nothing. */
function checkSettingsPatch(app: Pick<AppContext, 'config'>, patch: Record<string, string>): void {
  const errors: { field: string; message: string }[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (!USERAPI_KEYS.includes(key) || !isSettingKey(key)) {
      errors.push({ field: `body.${key}`, message: 'is not a User API setting' });
      continue;
    }
    try {
      parseSetting(key, value);
    } catch (error) {
      if (error instanceof SettingError) errors.push({ field: `body.${key}`, message: error.message });
      else throw error;
    }
    if (key === 'userapi.jwt_key_path' && value !== '') {
      try {
        validateJwtKeyFile(app.config, value);
      } catch (error) {
        if (error instanceof JwtKeyError) errors.push({ field: `body.${key}`, message: error.message });
        else throw error;
      }
    }
  }
  if (errors.length)
    throw new AppError('validation_failed', errors.map((e) => `${e.field}: ${e.message}`).join(' '), { errors });
}

export async function updateUserApiSettings(
  app: Pick<AppContext, 'config' | 'settings' | 'db' | 'clock' | 'watcher'>,
  patch: Record<string, string>,
  actor: { id: string; ip: string; requestId: string },
): Promise<void> {
  checkSettingsPatch(app, patch);
  await saveSettings(app, patch, actor);
}
