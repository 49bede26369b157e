import type { AppContext } from '../../src/app-context.js';
import { insertCategory, insertProduct } from '../../src/catalog/store.js';
import type { ClientRow } from '../../src/clients/store.js';
import { changeCredit, insertClient } from '../../src/clients/store.js';
import { insertInvoice } from '../../src/invoices/store.js';
import { hashPassword } from '../../src/platform/crypto/password.js';
import type { InvoiceStatus, ServiceStatus } from '../../src/platform/db/schema.js';
import { newId } from '../../src/platform/ids.js';
import { insertService } from '../../src/services/store.js';
import type { Role } from '../../src/staff/roles.js';
import { createAdmin } from '../../src/staff/staff.js';

/**
 * Small factories: each test makes exactly the rows it needs. Password hashing is deliberately
 * slow, so the hash of each distinct test password is computed once per test file.
 */
const hashes = new Map<string, Promise<string>>();
function hashOnce(password: string): Promise<string> {
  let hash = hashes.get(password);
  if (!hash) {
    hash = hashPassword(password);
    hashes.set(password, hash);
  }
  return hash;
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export interface TestClient {
  row: ClientRow;
  email: string;
  password: string;
  basic: string;
}

export function basicHeader(email: string, password: string): string {
  return `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
}

export async function newClient(
  app: AppContext,
  overrides: Partial<ClientRow> & { password?: string } = {},
): Promise<TestClient> {
  const { password = 'correct-horse-battery', ...rest } = overrides;
  const now = app.clock.nowMs();
  const row: ClientRow = {
    id: newId('client', now),
    email: `client-${unique()}@example.test`,
    name: 'Test Client',
    company: null,
    phone: null,
    country: null,
    address: null,
    tax_id: null,
    password_hash: await hashOnce(password),
    status: 'active',
    credit_minor: 0,
    currency: 'USD',
    is_demo: 0,
    created_at_ms: now,
    updated_at_ms: now,
    ...rest,
  };
  // Credit is the ledger's sum: a starting balance is the ledger's first entry.
  await insertClient(app.db.kysely, { ...row, credit_minor: 0 });
  if (row.credit_minor) {
    await changeCredit(app.db.kysely, {
      id: newId('credit', now),
      client_id: row.id,
      amount_minor: row.credit_minor,
      reason: 'Opening credit',
      actor_type: 'system',
      actor_id: null,
      invoice_id: null,
      payment_id: null,
      at_ms: now,
    });
  }
  return { row, email: row.email, password, basic: basicHeader(row.email, password) };
}

export async function newProduct(app: AppContext, overrides: { enabled?: boolean; name?: string } = {}) {
  const now = app.clock.nowMs();
  const categoryId = newId('category', now);
  await insertCategory(app.db.kysely, {
    id: categoryId,
    slug: `cat-${unique()}`,
    name: 'Hosting',
    description: '',
    sort_order: 1,
  });
  const id = newId('product', now);
  await insertProduct(
    app.db.kysely,
    {
      id,
      category_id: categoryId,
      slug: `prd-${unique()}`,
      name: overrides.name ?? 'Starter',
      description: 'A plan',
      module: 'hestia',
      panel_package: 'starter',
      server_group: 'default',
      features: JSON.stringify({ webDomain: true, dnsZone: true, mailDomain: false }),
      enabled: overrides.enabled === false ? 0 : 1,
      sort_order: 1,
      created_at_ms: now,
    },
    [{ product_id: id, billing_cycle: 'monthly', amount_minor: 499, setup_fee_minor: 0, currency: 'USD' }],
  );
  return { id, categoryId };
}

export async function newService(
  app: AppContext,
  options: { clientId: string; productId: string; status?: ServiceStatus; domain?: string; nowMs?: number },
) {
  const now = options.nowMs ?? app.clock.nowMs();
  const id = newId('service', now);
  await insertService(app.db.kysely, {
    id,
    client_id: options.clientId,
    product_id: options.productId,
    domain: options.domain ?? `site-${unique()}.test`,
    status: options.status ?? 'active',
    billing_cycle: 'monthly',
    amount_minor: 499,
    currency: 'USD',
    next_due_at_ms: now + 30 * 86_400_000,
    created_at_ms: now,
    updated_at_ms: now,
  });
  return { id };
}

export async function newInvoice(
  app: AppContext,
  options: { clientId: string; status?: InvoiceStatus; totalMinor?: number; nowMs?: number },
) {
  const now = options.nowMs ?? app.clock.nowMs();
  const id = newId('invoice', now);
  const total = options.totalMinor ?? 499;
  await insertInvoice(
    app.db.kysely,
    {
      id,
      client_id: options.clientId,
      number: `T-${unique()}`,
      status: options.status ?? 'unpaid',
      currency: 'USD',
      subtotal_minor: total,
      tax_minor: 0,
      total_minor: total,
      issued_at_ms: now,
      due_at_ms: now + 7 * 86_400_000,
      paid_at_ms: options.status === 'paid' ? now : null,
      created_at_ms: now,
    },
    [
      {
        id: newId('invoiceItem', now),
        invoice_id: id,
        service_id: null,
        description: 'Hosting',
        amount_minor: total,
        sort_order: 1,
      },
    ],
  );
  return { id };
}

/** A staff account for the Admin API (the name defaults to the email's local part). */
/** A staff member; an owner unless `role` says otherwise. */
export async function newAdmin(
  app: Pick<AppContext, 'db' | 'clock'>,
  input: { email: string; password: string; name?: string; role?: Role },
): Promise<{ id: string }> {
  return createAdmin(app, {
    email: input.email,
    name: input.name ?? input.email.split('@')[0]!,
    password: input.password,
    role: input.role ?? 'owner',
  });
}
