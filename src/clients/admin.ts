import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { revokeAllSessions } from '../auth/store.js';
import type { ClientStatus } from '../platform/db/schema.js';
import { checkText, decodeCursor, iso, toPage } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';
import { checkEmail } from './clients.js';
import { checkCountry } from './countries.js';
import type { ClientDetail, ClientPatch, ClientView } from './schemas.js';
import {
  type ClientRow,
  clientCounts,
  findClientByEmail,
  findClientById,
  findClientByIdOrEmail,
  listClients,
  listLiveClientServices,
  setClientStatus,
  updateClient,
} from './store.js';

/**
 * Clients administration, shared by the Admin API and the CLI: finding, changing, suspending and
 * closing client accounts. Every change is audit-logged in the transaction that makes it.
 */
type Deps = Pick<AppContext, 'db' | 'clock'> & Partial<Pick<AppContext, 'passwords'>>;

/** Who acts: an admin (Admin API) or the operator (CLI). */
export interface Actor {
  type: 'admin' | 'cli';
  id: string | null;
  ip?: string | null;
  requestId?: string | null;
}

export function toClientView(row: ClientRow): Static<typeof ClientView> {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    company: row.company,
    phone: row.phone,
    country: row.country,
    address: row.address,
    tax_id: row.tax_id,
    status: row.status,
    credit: { amount_minor: Number(row.credit_minor), currency: row.currency },
    demo: row.is_demo === 1,
    created_at: iso(Number(row.created_at_ms)),
    updated_at: iso(Number(row.updated_at_ms)),
  };
}

/** The client by id or email, or a 404 that says how to find it. */
/**
 * A list's "only this client's" filter, given as an id or an email (invoices, orders, payments):
 * the client's id, undefined without a filter; not found says what to give.
 */
export async function clientFilter(deps: Pick<AppContext, 'db'>, idOrEmail: string | undefined) {
  if (!idOrEmail) return undefined;
  const row = await findClientByIdOrEmail(deps.db.kysely, idOrEmail);
  if (!row) throw new AppError('not_found', `No client ${idOrEmail}: give a client id (cli_…) or the client's email.`);
  return row.id;
}

export async function requireClient(deps: Pick<AppContext, 'db'>, idOrEmail: string): Promise<ClientRow> {
  const row = await findClientByIdOrEmail(deps.db.kysely, idOrEmail);
  if (!row) {
    throw new AppError(
      'not_found',
      `No client ${idOrEmail}. Find it with \`portico clients list --search TEXT\` (or GET /clients?q=TEXT).`,
    );
  }
  return row;
}

export async function pageClients(
  deps: Pick<AppContext, 'db'>,
  options: {
    q?: string | undefined;
    status?: ClientStatus | undefined;
    limit: number;
    cursor?: string | undefined;
    oldestFirst?: boolean | undefined;
  },
) {
  const afterId = decodeCursor(options.cursor, 'client');
  const rows = await listClients(deps.db.kysely, {
    q: options.q?.trim() || undefined,
    status: options.status,
    afterId,
    oldestFirst: options.oldestFirst,
    limit: options.limit + 1,
  });
  return toPage(rows, options.limit, toClientView);
}

export async function showClient(
  deps: Pick<AppContext, 'db'>,
  idOrEmail: string,
): Promise<Static<typeof ClientDetail>> {
  const row = await requireClient(deps, idOrEmail);
  const counts = await clientCounts(deps.db.kysely, row.id);
  const n = (status: string) => counts.services[status] ?? 0;
  return {
    ...toClientView(row),
    services: {
      total: Object.values(counts.services).reduce((a, b) => a + b, 0),
      pending: n('pending'),
      active: n('active'),
      suspended: n('suspended'),
      terminated: n('terminated'),
      cancelled: n('cancelled'),
    },
    unpaid_invoices: counts.unpaidInvoices,
  };
}

function auditClient(
  deps: Deps,
  trx: Parameters<typeof audit>[0],
  actor: Actor,
  action: string,
  row: ClientRow,
  details?: Record<string, unknown>,
) {
  return audit(trx, deps.clock.nowMs(), {
    actorType: actor.type,
    actorId: actor.id,
    action,
    targetType: 'client',
    targetId: row.id,
    ip: actor.ip ?? null,
    requestId: actor.requestId ?? null,
    ...(details ? { details } : {}),
  });
}

/** Empty text clears an optional field (the CLI's `--company ""`). */
function optional(value: string | null | undefined, field: string, kind: 'line' | 'block' = 'line') {
  if (value === undefined) return undefined;
  if (value === null || value.trim() === '') return null;
  checkText(value, field, kind);
  return value.trim();
}

/**
 * Changes a client's profile. The email stays unique (a clear 409 names the other account's
 * email); the country must be an ISO 3166-1 alpha-2 code because it decides the tax rate.
 */
export async function updateClientProfile(
  deps: Deps,
  idOrEmail: string,
  patch: Static<typeof ClientPatch>,
  actor: Actor,
): Promise<Static<typeof ClientView>> {
  const row = await requireClient(deps, idOrEmail);
  const changes: Parameters<typeof updateClient>[2] = {};
  if (patch.name !== undefined) {
    checkText(patch.name, 'name');
    if (!patch.name.trim()) {
      throw new AppError('validation_failed', 'A client needs a name.', {
        errors: [{ field: 'name', message: 'is required' }],
      });
    }
    changes.name = patch.name.trim();
  }
  if (patch.email !== undefined) {
    const email = checkEmail(patch.email);
    const other = await findClientByEmail(deps.db.kysely, email);
    if (other && other.id !== row.id) {
      throw new AppError(
        'conflict',
        `Another client (${other.id}) already uses the email ${email}. Choose another email.`,
        {
          errors: [{ field: 'email', message: 'is used by another client' }],
        },
      );
    }
    changes.email = email;
  }
  if (patch.company !== undefined) changes.company = optional(patch.company, 'company') ?? null;
  if (patch.phone !== undefined) {
    const phone = optional(patch.phone, 'phone') ?? null;
    if (phone !== null && (!/^[0-9+() .-]*$/.test(phone) || phone.length > 50)) {
      throw new AppError('validation_failed', `"${phone}" is not a phone number: use digits, spaces and + ( ) . -.`, {
        errors: [{ field: 'phone', message: 'must be digits, spaces and + ( ) . - (up to 50)' }],
      });
    }
    changes.phone = phone;
  }
  if (patch.country !== undefined) {
    changes.country = patch.country === null || patch.country.trim() === '' ? null : checkCountry(patch.country);
  }
  if (patch.address !== undefined) changes.address = optional(patch.address, 'address', 'block') ?? null;
  if (patch.tax_id !== undefined) changes.tax_id = optional(patch.tax_id, 'tax_id') ?? null;
  const changed = Object.keys(changes).filter(
    (key) => changes[key as keyof typeof changes] !== row[key as keyof typeof changes],
  );
  const now = deps.clock.nowMs();
  await deps.db.kysely.transaction().execute(async (trx) => {
    await updateClient(trx, row.id, { ...changes, updated_at_ms: now });
    await auditClient(deps, trx, actor, 'client.update', row, {
      changed,
      ...(changes.email !== undefined && changes.email !== row.email ? { previousEmail: row.email } : {}),
    });
  });
  const updated = await findClientById(deps.db.kysely, row.id);
  if (!updated) throw new AppError('not_found', `The client ${row.id} was removed meanwhile.`);
  return toClientView(updated);
}

async function transition(
  deps: Deps,
  idOrEmail: string,
  actor: Actor,
  step: { from: ClientStatus; to: ClientStatus; action: string; refused: (row: ClientRow) => string },
  details: Record<string, unknown> = {},
  alsoInTransaction?: (trx: Parameters<typeof audit>[0], row: ClientRow) => Promise<void>,
): Promise<Static<typeof ClientView>> {
  const row = await requireClient(deps, idOrEmail);
  if (row.status !== step.from) throw new AppError('conflict', step.refused(row));
  const now = deps.clock.nowMs();
  await deps.db.kysely.transaction().execute(async (trx) => {
    await alsoInTransaction?.(trx, row);
    if (!(await setClientStatus(trx, row.id, step.from, step.to, now))) {
      throw new AppError('conflict', `The client ${row.email} was changed by another request meanwhile. Look again.`);
    }
    await auditClient(deps, trx, actor, step.action, row, details);
  });
  deps.passwords?.forget(row.id);
  return toClientView({ ...row, status: step.to, updated_at_ms: now });
}

/** A suspended client cannot use the User API (any credential) until unsuspended. */
export function suspendClient(deps: Deps, idOrEmail: string, reason: string | undefined, actor: Actor) {
  if (reason) checkText(reason, 'reason', 'block');
  return transition(
    deps,
    idOrEmail,
    actor,
    {
      from: 'active',
      to: 'suspended',
      action: 'client.suspend',
      refused: (row) =>
        row.status === 'suspended'
          ? `The client ${row.email} is already suspended.`
          : `The client ${row.email} is closed; a closed account cannot be suspended.`,
    },
    reason ? { reason } : {},
  );
}

export function unsuspendClient(deps: Deps, idOrEmail: string, actor: Actor) {
  return transition(deps, idOrEmail, actor, {
    from: 'suspended',
    to: 'active',
    action: 'client.unsuspend',
    refused: (row) =>
      row.status === 'active'
        ? `The client ${row.email} is not suspended.`
        : `The client ${row.email} is closed; a closed account cannot be reopened.`,
  });
}

/**
 * Closing is final: the client can no longer log in and its login sessions end. A client whose
 * services still run on a panel (active or suspended) is refused, naming them.
 */
export async function closeClient(deps: Deps, idOrEmail: string, actor: Actor) {
  const row = await requireClient(deps, idOrEmail);
  if (row.status === 'closed') throw new AppError('conflict', `The client ${row.email} is already closed.`);
  return transition(
    deps,
    row.id,
    actor,
    {
      from: row.status,
      to: 'closed',
      action: 'client.close',
      refused: () => `The client ${row.email} changed meanwhile.`,
    },
    { previousStatus: row.status },
    async (trx) => {
      // Checked in the closing transaction, so a service activated meanwhile is seen.
      const live = await listLiveClientServices(trx, row.id);
      if (live.length > 0) {
        const list = live.map((s) => `${s.id} (${s.domain ?? 'no domain'}, ${s.status})`).join(', ');
        throw new AppError(
          'conflict',
          `The client ${row.email} still has ${live.length} active or suspended service${live.length === 1 ? '' : 's'}: ${list}. Terminate them first, then close the client.`,
        );
      }
      await revokeAllSessions(trx, row.id, deps.clock.nowMs());
    },
  );
}
