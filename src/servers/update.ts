import type { AppContext } from '../app-context.js';
import { type CheckResult, checkAccess } from './runbook/check.js';
import { changesAccess, pausedByAdmin, resumeServer, type ServerChanges, updateServerSettings } from './servers.js';
import { type ServerRow, updateServer } from './store.js';

/**
 * `portico server update` and `PATCH /servers/{name}`: a server changed in place. When the key,
 * TLS trust or address changed, one authenticated read checks the new settings; a server paused
 * because the panel refused the old key is resumed when the new one passes (what the operator
 * fixed it for), and stays paused, with the panel's new answer as its reason, when it does not.
 */
export interface ServerUpdate {
  row: ServerRow;
  /** The check of the new settings; null when nothing about reaching the panel changed. */
  access: CheckResult | null;
  /** The server was paused and the new settings passed the check: its queued jobs run again. */
  resumed: boolean;
}

type Deps = Pick<AppContext, 'db' | 'clock' | 'logger' | 'secrets'>;

export async function updateServerInPlace(deps: Deps, name: string, changes: ServerChanges): Promise<ServerUpdate> {
  const row = await updateServerSettings(deps, name, changes);
  if (!changesAccess(changes)) return { row, access: null, resumed: false };
  const access = await checkAccess(deps, row);
  // A pause an admin chose (maintenance) is not the panel's refusal: only resuming lifts it.
  if (!row.paused_reason || pausedByAdmin(row)) return { row, access, resumed: false };
  if (access.ok) return { row: await resumeServer(deps, row), access, resumed: true };
  await updateServer(deps.db.kysely, row.id, { paused_reason: access.detail });
  return { row: { ...row, paused_reason: access.detail }, access, resumed: false };
}
