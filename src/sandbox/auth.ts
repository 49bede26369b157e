import type { AccessKey, SandboxState } from './state.js';

/**
 * How the panel decides who is calling (docs/hestia-protocol.md §2), in its order. Returns the caller, or the
 * API-level error the panel would answer with (and whether fail2ban counts it).
 */
export type Caller = { mode: 'key'; key: AccessKey; admin: boolean } | { mode: 'legacy' };

export interface ApiError {
  status: number;
  code: number;
  body: string;
  /** Counted by fail2ban as a failed login. */
  failedLogin: boolean;
}

export const DATA_INVALID =
  'Error: data received is null or invalid, check https://hestiacp.com/docs/server-administration/rest-api.html';

const apiError = (status: number, code: number, body: string, failedLogin = false): ApiError => ({
  status,
  code,
  body,
  failedLogin,
});

export function ipAllowed(state: SandboxState, ip: string): boolean {
  const allowed = state.switches.API_ALLOWED_IP.trim();
  if (allowed === 'allow-all') return true;
  const normalised = ip.replace(/^::ffff:/, '');
  return allowed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .includes(normalised);
}

export function identify(state: SandboxState, fields: Record<string, string>): Caller | ApiError {
  let accessKey = fields.access_key;
  let secretKey = fields.secret_key;
  const hash = fields.hash;
  if (accessKey === undefined && hash && /^[A-Za-z0-9]{20}:[A-Za-z0-9_=-]{40}$/.test(hash)) {
    [accessKey, secretKey] = hash.split(':');
  }
  if (accessKey !== undefined && secretKey !== undefined) return keyCaller(state, accessKey, secretKey);
  // A hash in the ID:SECRET shape with the wrong lengths is no key at all.
  if (accessKey === undefined && hash?.includes(':')) return apiError(401, 9, 'Error: authentication failed', true);
  if (fields.user !== undefined || hash !== undefined) return legacyCaller(state, fields);
  return apiError(405, 405, DATA_INVALID);
}

function keyCaller(state: SandboxState, id: string, secret: string): Caller | ApiError {
  if (state.switches.API_SYSTEM === 0) return apiError(400, 11, 'Error: API has been disabled');
  if (!id || !secret) return apiError(401, 9, 'Error: Authentication failed', true);
  if (!/^[A-Za-z0-9]{20}$/.test(id)) return apiError(422, 2, `Error: invalid access_key_id format :: ${id}`, true);
  const key = state.keys.find((k) => k.id === id);
  if (!key) return apiError(401, 9, `Error: key ${id} doesn't exist`, true);
  if (key.secret !== secret) return apiError(401, 9, `Error: Invalid secret key for key ${id}`, true);
  const owner = state.users[key.user];
  if (!owner || owner.suspended) return apiError(401, 9, `Error: user ${key.user} is suspended`, true);
  const admin = key.user === state.rootUser;
  if (!admin && state.switches.API_SYSTEM === 1)
    return apiError(401, 21, 'Error: API has been disabled for non-admin users');
  return { mode: 'key', key, admin };
}

function legacyCaller(state: SandboxState, fields: Record<string, string>): Caller | ApiError {
  if (state.switches.API !== 'yes') return apiError(400, 11, 'Error: API has been disabledError: API Disabled');
  if (fields.hash !== undefined) {
    if (state.legacyHash && fields.hash === state.legacyHash) return { mode: 'legacy' };
    return apiError(401, 9, 'Error: authentication failed', true);
  }
  // Only the root admin may log in with a password: anyone else is forbidden (10), a wrong
  // password is a wrong password (9).
  const root = state.users[state.rootUser];
  if (fields.user !== state.rootUser) return apiError(401, 10, 'Error: authentication failed', true);
  if (root && fields.password === root.password) return { mode: 'legacy' };
  return apiError(401, 9, 'Error: authentication failed', true);
}

/** After the command is known: may this key run it, on this user? */
export function authorise(state: SandboxState, caller: Caller, cmd: string, args: string[]): ApiError | undefined {
  if (caller.mode !== 'key') return undefined;
  const { key, admin } = caller;
  const everything = admin && (key.permissions.length === 0 || key.permissions.includes('*'));
  if (!everything) {
    const allowed = key.permissions.flatMap((profile) => state.profiles[profile] ?? []);
    if (!allowed.includes(cmd)) {
      return apiError(401, 10, `Error: Key ${key.id} don't have permission to run the command ${cmd}`, true);
    }
  }
  if (!admin && args[0] !== key.user) {
    return apiError(401, 10, `Error: Key ${key.id} - the "user" argument doesn\\'t match the key\\'s user`);
  }
  return undefined;
}
