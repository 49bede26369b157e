import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import {
  isSettingKey,
  parseAll,
  parseSetting,
  SECRET_SETTINGS,
  SETTINGS,
  SettingError,
  type SettingsSnapshot,
  withoutPassword,
} from './definitions.js';

/**
 * Settings in the database, with a parsed snapshot in memory for the hot path. Writers bump the
 * shared config version in the same transaction; every instance's ConfigWatcher sees the new
 * version and reloads, so a change reaches all instances without a restart.
 */
export class SettingsStore {
  private current: SettingsSnapshot = parseAll({});
  private stored: Record<string, string> = {};

  /** `seal` seals secret settings (SECRET_SETTINGS) before they are stored; their snapshot value stays sealed. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sealer?: { seal(plaintext: string): string },
  ) {}

  get snapshot(): SettingsSnapshot {
    return this.current;
  }

  async reload(): Promise<void> {
    const rows = await this.db.selectFrom('settings').select(['key', 'value']).execute();
    this.stored = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    this.current = parseAll(this.stored);
  }

  /** What is stored, key by key (secret settings in their sealed form); a key not stored is at its default. */
  storedValues(): Readonly<Record<string, string>> {
    return this.stored;
  }

  /** Raw values as stored (or the default), for display. */
  list(): { key: string; value: string; isDefault: boolean; description: string }[] {
    return Object.entries(SETTINGS).map(([key, def]) => ({
      key,
      value:
        SECRET_SETTINGS.has(key) && this.stored[key] ? '(set, sealed)' : shown(key, this.stored[key] ?? def.default),
      isDefault: !(key in this.stored),
      description: def.description,
    }));
  }

  async set(key: string, raw: string, nowMs: number = Date.now()): Promise<void> {
    if (!isSettingKey(key)) {
      throw new SettingError(`Unknown setting "${key}". Known settings: ${Object.keys(SETTINGS).join(', ')}.`);
    }
    parseSetting(key, raw);
    if (SECRET_SETTINGS.has(key) && raw !== '') {
      if (!this.sealer) throw new SettingError(`${key} is a secret and cannot be stored without the master key.`);
      raw = this.sealer.seal(raw);
    }
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('settings')
        .values({ key, value: raw, updated_at_ms: nowMs })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: raw, updated_at_ms: nowMs }))
        .execute();
      await bumpConfigVersion(trx);
    });
    await this.reload();
  }
}

/** How a value is printed (`portico settings get`): the SMTP URL without its password. */
function shown(key: string, value: string): string {
  if (key !== 'email.smtp_url' || value === '') return value;
  const bare = withoutPassword(value);
  return bare === value ? value : `${bare} (password hidden)`;
}

export async function bumpConfigVersion(db: Kysely<Database>): Promise<void> {
  await db
    .updateTable('config_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .execute();
}

export async function readConfigVersion(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('config_version').select('version').where('id', '=', 1).executeTakeFirst();
  return row?.version ?? 0;
}
