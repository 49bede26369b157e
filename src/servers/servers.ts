import type { AppContext } from '../app-context.js';
import { HestiaClient, type HestiaClientOptions, type PanelCredentials } from '../hestia/client.js';
import { HestiaPanel } from '../hestia/panel.js';
import { normaliseFingerprint, type TlsTrust } from '../hestia/tls.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { countLiveServices } from '../services/store.js';
import { deleteServer, findServerByName, insertServer, listServerRows, type ServerRow, updateServer } from './store.js';

/** How a server is reached and trusted, for callers that configure servers (the CLI, the Admin API). */
export type { PanelCredentials, TlsTrust };

/**
 * The HestiaCP servers Portico provisions on. Credentials are sealed with the master key before
 * they touch the database; a server is reached only through `panelFor`, which unseals them.
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'logger' | 'secrets'>;

export interface NewServer {
  name: string;
  host: string;
  port: number;
  credentials: PanelCredentials;
  tls: TlsTrust;
  rootUser?: string;
  group?: string;
  capacity?: number;
  isSandbox?: boolean;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const HOST =
  /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$|^\[?[0-9a-fA-F:.]+\]?$/;

function invalid(field: string, message: string): AppError {
  return new AppError('validation_failed', `${field} ${message}.`, { errors: [{ field, message }] });
}

export function checkCredentials(credentials: PanelCredentials): void {
  if (credentials.kind === 'access_key') {
    if (!/^[0-9A-Za-z]{20}$/.test(credentials.id) || !/^[0-9A-Za-z_=-]{40}$/.test(credentials.secret)) {
      throw invalid(
        'key',
        'must be an access key ID:SECRET (a 20-character ID, a colon, a 40-character secret) as shown by v-add-access-key',
      );
    }
  } else if (credentials.kind === 'legacy_hash' && !/^[0-9A-Za-z]{32}$/.test(credentials.hash)) {
    throw invalid('key', 'must be the 32-character legacy API key');
  }
}

function tlsColumns(tls: TlsTrust): Pick<ServerRow, 'tls_mode' | 'tls_value'> {
  if (tls.mode === 'pin') return { tls_mode: 'pin', tls_value: normaliseFingerprint(tls.sha256) };
  if (tls.mode === 'ca') {
    if (!tls.caPem.includes('BEGIN CERTIFICATE')) throw invalid('tls', 'CA file must hold a PEM certificate');
    return { tls_mode: 'ca', tls_value: tls.caPem };
  }
  return { tls_mode: tls.mode, tls_value: null };
}

export function tlsOf(row: ServerRow): TlsTrust {
  if (row.tls_mode === 'pin') return { mode: 'pin', sha256: row.tls_value ?? '' };
  if (row.tls_mode === 'ca') return { mode: 'ca', caPem: row.tls_value ?? '' };
  return { mode: row.tls_mode };
}

export async function addServer(deps: Deps, input: NewServer): Promise<ServerRow> {
  if (!NAME.test(input.name)) throw invalid('name', 'must be lower-case letters, digits, dots, dashes (e.g. web1)');
  if (!HOST.test(input.host)) throw invalid('host', 'must be a host name or IP address');
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) throw invalid('port', 'must be 1–65535');
  const capacity = input.capacity ?? 100;
  if (!Number.isInteger(capacity) || capacity < 0) throw invalid('capacity', 'must be a whole number of accounts');
  checkCredentials(input.credentials);
  if (await findServerByName(deps.db.kysely, input.name)) {
    throw new AppError(
      'conflict',
      `A server named ${input.name} already exists: change its key, TLS or address in place with \`portico server update ${input.name}\`, or pick another name.`,
    );
  }
  const now = deps.clock.nowMs();
  const row: ServerRow = {
    id: newId('server', now),
    name: input.name,
    host: input.host,
    port: input.port,
    auth_kind: input.credentials.kind,
    credentials_sealed: deps.secrets().seal(JSON.stringify(input.credentials)),
    ...tlsColumns(input.tls),
    root_user: input.rootUser ?? 'admin',
    server_group: input.group ?? 'default',
    capacity,
    enabled: 1,
    is_sandbox: input.isSandbox ? 1 : 0,
    paused_reason: null,
    paused_at_ms: null,
    created_at_ms: now,
    updated_at_ms: now,
  };
  await insertServer(deps.db.kysely, row);
  return row;
}

/** What `server update` may change; absent fields stay as they are. */
export interface ServerChanges {
  host?: string;
  port?: number;
  credentials?: PanelCredentials;
  tls?: TlsTrust;
  rootUser?: string;
  group?: string;
  capacity?: number;
  enabled?: boolean;
}

/** Whether a change alters how Portico reaches and authenticates to the panel. */
export const changesAccess = (changes: ServerChanges): boolean =>
  changes.credentials !== undefined ||
  changes.tls !== undefined ||
  changes.host !== undefined ||
  changes.port !== undefined ||
  changes.rootUser !== undefined;

/**
 * Changes a server in place (a wrong key, a new certificate, a moved port), keeping its services
 * and queued jobs. The row's update time changes, so every worker builds a new connection pool.
 */
export async function updateServerSettings(deps: Deps, name: string, changes: ServerChanges): Promise<ServerRow> {
  const row = await getServer(deps, name);
  if (Object.values(changes).every((v) => v === undefined)) {
    throw new AppError(
      'validation_failed',
      'Nothing to change: give a key, TLS, host, port, group, capacity or enabled.',
    );
  }
  if (changes.host !== undefined && !HOST.test(changes.host))
    throw invalid('host', 'must be a host name or IP address');
  if (changes.port !== undefined && (!Number.isInteger(changes.port) || changes.port < 1 || changes.port > 65535))
    throw invalid('port', 'must be 1–65535');
  if (changes.capacity !== undefined && (!Number.isInteger(changes.capacity) || changes.capacity < 0))
    throw invalid('capacity', 'must be a whole number of accounts');
  if (changes.group !== undefined && !NAME.test(changes.group))
    throw invalid('group', 'must be lower-case letters, digits, dots, dashes (e.g. default)');
  if (changes.rootUser !== undefined && !/^[a-z][a-z0-9_-]{0,31}$/.test(changes.rootUser))
    throw invalid('root_user', "must be the panel's admin user name (ROOT_USER, e.g. admin)");
  if (changes.credentials) checkCredentials(changes.credentials);
  const set: Partial<ServerRow> = {
    ...(changes.host !== undefined ? { host: changes.host } : {}),
    ...(changes.port !== undefined ? { port: changes.port } : {}),
    ...(changes.tls ? tlsColumns(changes.tls) : {}),
    ...(changes.credentials
      ? {
          auth_kind: changes.credentials.kind,
          credentials_sealed: deps.secrets().seal(JSON.stringify(changes.credentials)),
        }
      : {}),
    ...(changes.rootUser !== undefined ? { root_user: changes.rootUser } : {}),
    ...(changes.group !== undefined ? { server_group: changes.group } : {}),
    ...(changes.capacity !== undefined ? { capacity: changes.capacity } : {}),
    ...(changes.enabled !== undefined ? { enabled: changes.enabled ? 1 : 0 } : {}),
    // Never the same stamp as before, even within one millisecond: pools are keyed by it.
    updated_at_ms: Math.max(deps.clock.nowMs(), row.updated_at_ms + 1),
  };
  await updateServer(deps.db.kysely, row.id, set);
  return { ...row, ...set };
}

/**
 * What a pause by an admin's hand starts with: an update that fixes the access (which resumes a
 * server the panel paused for a refused key) leaves such a pause alone; only resuming lifts it.
 */
export const ADMIN_PAUSE_PREFIX = 'Paused by an admin: ';

export const pausedByAdmin = (row: Pick<ServerRow, 'paused_reason'>): boolean =>
  row.paused_reason?.startsWith(ADMIN_PAUSE_PREFIX) ?? false;

/** Holds a server's jobs (panel maintenance) until it is resumed. */
export async function pauseServerByAdmin(
  deps: Pick<AppContext, 'db' | 'clock'>,
  row: ServerRow,
  reason: string,
): Promise<ServerRow> {
  if (row.paused_reason) {
    throw new AppError('conflict', `Server ${row.name} is already paused (${row.paused_reason}); resume it first.`);
  }
  const set = {
    paused_reason: `${ADMIN_PAUSE_PREFIX}${reason.trim()}`,
    paused_at_ms: deps.clock.nowMs(),
    updated_at_ms: Math.max(deps.clock.nowMs(), row.updated_at_ms + 1),
  };
  await updateServer(deps.db.kysely, row.id, set);
  return { ...row, ...set };
}

/** Lets a paused server's queued jobs run again. */
export async function resumeServer(deps: Pick<AppContext, 'db' | 'clock'>, row: ServerRow): Promise<ServerRow> {
  const set = {
    paused_reason: null,
    paused_at_ms: null,
    updated_at_ms: Math.max(deps.clock.nowMs(), row.updated_at_ms + 1),
  };
  await updateServer(deps.db.kysely, row.id, set);
  return { ...row, ...set };
}

export async function getServer(deps: Pick<AppContext, 'db'>, name: string): Promise<ServerRow> {
  const row = await findServerByName(deps.db.kysely, name);
  if (!row) throw new AppError('not_found', `No server named ${name}. \`portico server list\` shows the servers.`);
  return row;
}

export const listServers = (deps: Pick<AppContext, 'db'>) => listServerRows(deps.db.kysely);

export async function removeServer(deps: Pick<AppContext, 'db'>, name: string): Promise<void> {
  const row = await getServer(deps, name);
  const live = await countLiveServices(deps.db.kysely, row.id);
  if (live > 0) {
    throw new AppError(
      'conflict',
      `Server ${name} still hosts ${live} service(s); terminate or move them first (to fix its key, TLS or address, use \`portico server update ${name}\`).`,
    );
  }
  await deleteServer(deps.db.kysely, row.id);
}

/** A client and adapter for one server, with its credentials unsealed in memory only. */
export function panelFor(
  deps: Deps,
  row: ServerRow,
  options: {
    timeouts?: { connectMs?: number; listMs?: number; mutationMs?: number };
    onCall?: HestiaClientOptions['onCall'];
    agent?: HestiaClientOptions['agent'];
  } = {},
): { client: HestiaClient; panel: HestiaPanel } {
  const credentials = JSON.parse(deps.secrets().open(row.credentials_sealed)) as PanelCredentials;
  const client = new HestiaClient({
    name: row.name,
    host: row.host,
    port: row.port,
    credentials,
    tls: tlsOf(row),
    rootUser: row.root_user,
    logger: deps.logger,
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
  });
  return { client, panel: new HestiaPanel(client) };
}

export function credentialsOf(deps: Pick<AppContext, 'secrets'>, row: ServerRow): PanelCredentials {
  return JSON.parse(deps.secrets().open(row.credentials_sealed)) as PanelCredentials;
}
