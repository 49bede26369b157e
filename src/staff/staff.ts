import { deleteAdminSessionsOf } from '../admin/store.js';
import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { checkEmail, checkPassword } from '../clients/clients.js';
import { hashPassword } from '../platform/crypto/password.js';
import { randomSecret } from '../platform/crypto/tokens.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { isRole, ROLES, type Role } from './roles.js';
import {
  activeOwnerIds,
  anyStaff,
  clearTotp,
  findStaff,
  findStaffByEmail,
  insertStaff,
  listStaff,
  type StaffRow,
  staffEmailTaken,
  updateStaff,
} from './store.js';

/**
 * Staff accounts: the provider's admins, each with a role (src/staff/roles.ts), who run the admin
 * area and the Admin API (src/admin/ guards those). Stored in the admins table. Owners manage
 * them through the Admin API (`/staff`) or `portico admin …`; there is always one active owner.
 */
export interface Actor {
  type: 'admin' | 'cli';
  id: string | null;
  ip?: string | null;
  requestId?: string | null;
}

type Deps = Pick<AppContext, 'db' | 'clock'>;

export interface StaffView {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: 'active' | 'disabled';
  totp_enrolled: boolean;
  created_at: string;
  updated_at: string;
}

export function roleOf(row: Pick<StaffRow, 'role'>): Role {
  // The column holds only roles (written through checkRole); an unknown value reads as the least.
  return isRole(row.role) ? row.role : 'read_only';
}

export function staffView(row: StaffRow): StaffView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: roleOf(row),
    status: row.status,
    totp_enrolled: row.totp_enabled_at_ms !== null,
    created_at: new Date(Number(row.created_at_ms)).toISOString(),
    updated_at: new Date(Number(row.updated_at_ms)).toISOString(),
  };
}

export function checkRole(value: string, field = 'role'): Role {
  if (!isRole(value)) {
    throw new AppError('validation_failed', `"${value}" is not a staff role: use one of ${ROLES.join(', ')}.`, {
      errors: [{ field, message: `must be one of ${ROLES.join(', ')}` }],
    });
  }
  return value;
}

/** Whether any admin exists (the start-up banner says how to create the first). */
export async function hasAdmin(db: Deps['db']['kysely']): Promise<boolean> {
  return anyStaff(db);
}

/** An audit entry about a staff account, in the caller's transaction. */
export function auditStaff(
  deps: Deps,
  db: Deps['db']['kysely'],
  actor: Actor,
  action: string,
  target: string,
  details?: Record<string, unknown>,
) {
  return audit(db, deps.clock.nowMs(), {
    actorType: actor.type,
    actorId: actor.id,
    action,
    targetType: 'admin',
    targetId: target,
    ip: actor.ip ?? null,
    requestId: actor.requestId ?? null,
    ...(details ? { details } : {}),
  });
}

/**
 * Creates a staff member. Without a password one is generated and returned once (hand it over
 * and have them change it; there is no email invitation). Without a role, the first staff member
 * of an install becomes its owner; any later one must be given a role, so nobody becomes an
 * owner by forgetting an option.
 */
export async function createAdmin(
  deps: Deps,
  input: { email: string; name: string; password?: string | undefined; role?: string | undefined },
  actor: Actor = { type: 'cli', id: null },
): Promise<{ id: string; email: string; role: Role; initialPassword: string | null; staff: StaffView }> {
  const email = checkEmail(input.email);
  const generated = input.password === undefined ? randomSecret(18) : null;
  const password = input.password ?? (generated as string);
  checkPassword(password);
  let role: Role;
  if (input.role !== undefined) role = checkRole(input.role);
  else if (!(await anyStaff(deps.db.kysely))) role = 'owner';
  else {
    throw new AppError(
      'validation_failed',
      `Name the role of ${email}: one of ${ROLES.join(', ')} (only the first admin of an install becomes owner by default).`,
      { errors: [{ field: 'role', message: `is required: one of ${ROLES.join(', ')}` }] },
    );
  }
  if (await staffEmailTaken(deps.db.kysely, email))
    throw new AppError('conflict', `An admin with the email ${email} already exists.`);
  const now = deps.clock.nowMs();
  const id = newId('admin', now);
  const passwordHash = await hashPassword(password);
  await deps.db.kysely.transaction().execute(async (trx) => {
    await insertStaff(trx, {
      id,
      email,
      name: input.name.trim() || email,
      password_hash: passwordHash,
      role,
      status: 'active',
      totp_secret: null,
      totp_pending_secret: null,
      totp_enabled_at_ms: null,
      totp_last_step: null,
      created_at_ms: now,
      updated_at_ms: now,
    });
    await auditStaff(deps, trx, actor, 'staff.create', id, { email, role });
  });
  const row = (await findStaff(deps.db.kysely, id)) as StaffRow;
  return { id, email, role, initialPassword: generated, staff: staffView(row) };
}

export async function listStaffViews(deps: Deps): Promise<StaffView[]> {
  return (await listStaff(deps.db.kysely)).map(staffView);
}

/** A staff member by id, or by email (the CLI names them by email). */
export async function requireStaff(deps: Deps, idOrEmail: string): Promise<StaffRow> {
  const row = idOrEmail.includes('@')
    ? await findStaffByEmail(deps.db.kysely, idOrEmail)
    : await findStaff(deps.db.kysely, idOrEmail);
  if (!row) throw notFound(`The staff member ${idOrEmail}`);
  return row;
}

/**
 * Changes a staff member's role or status. Refused when it would leave no active owner (nobody
 * could manage staff or servers any more). Disabling ends their admin-area sessions at once.
 */
export async function changeStaff(
  deps: Deps,
  actor: Actor,
  idOrEmail: string,
  changes: { role?: string | undefined; status?: 'active' | 'disabled' | undefined },
): Promise<StaffView> {
  const role = changes.role === undefined ? undefined : checkRole(changes.role);
  const before = await requireStaff(deps, idOrEmail);
  const now = deps.clock.nowMs();
  await deps.db.kysely.transaction().execute(async (trx) => {
    await activeOwnerIds(trx, deps.db.dialect === 'postgres');
    const set: { role?: Role; status?: 'active' | 'disabled'; updated_at_ms: number } = { updated_at_ms: now };
    if (role !== undefined && role !== before.role) set.role = role;
    if (changes.status !== undefined && changes.status !== before.status) set.status = changes.status;
    if (set.role === undefined && set.status === undefined) return;
    await updateStaff(trx, before.id, set);
    if ((await activeOwnerIds(trx, false)).length === 0) {
      throw new AppError(
        'conflict',
        `${before.email} is the last active owner: make another staff member owner first (PATCH /staff/{id} or portico admin role <email> owner).`,
      );
    }
    if (set.role !== undefined)
      await auditStaff(deps, trx, actor, 'staff.role_change', before.id, { from: before.role, to: set.role });
    if (set.status === 'disabled') {
      await deleteAdminSessionsOf(trx, before.id);
      await auditStaff(deps, trx, actor, 'staff.disable', before.id);
    }
    if (set.status === 'active') await auditStaff(deps, trx, actor, 'staff.enable', before.id);
  });
  return staffView((await findStaff(deps.db.kysely, before.id)) as StaffRow);
}

/**
 * Removes a staff member's two-factor login (a lost phone and lost recovery codes): they log in
 * with their password and, if their role requires it, enrol again before doing anything else.
 */
export async function resetStaffTotp(deps: Deps, actor: Actor, idOrEmail: string): Promise<StaffView> {
  const row = await requireStaff(deps, idOrEmail);
  await deps.db.kysely.transaction().execute(async (trx) => {
    await clearTotp(trx, row.id, deps.clock.nowMs());
    await deleteAdminSessionsOf(trx, row.id);
    await auditStaff(deps, trx, actor, 'staff.totp_reset', row.id);
  });
  return staffView((await findStaff(deps.db.kysely, row.id)) as StaffRow);
}
