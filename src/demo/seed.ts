import type { AppContext } from '../app-context.js';
import { insertCategory, insertProduct } from '../catalog/store.js';
import { createClient } from '../clients/clients.js';
import { countClients } from '../clients/store.js';
import { insertInvoice } from '../invoices/store.js';
import type { BillingCycle } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { enqueueLifecycle } from '../provisioning/index.js';
import { insertService } from '../services/store.js';

/**
 * Demo data for a first look: clearly marked (`is_demo`, "[demo]" in names) and only ever written
 * into an empty embedded install, or on request with `portico demo`.
 */
export const DEMO_CLIENT = { email: 'demo@portico.test', password: 'demo-password-123', name: 'Demo Client [demo]' };

const DAY_MS = 86_400_000;

const PRODUCTS = [
  {
    slug: 'starter',
    name: 'Starter',
    pkg: 'starter',
    monthly: 499,
    annually: 4990,
    features: { webDomain: true, dnsZone: true, mailDomain: false },
  },
  {
    slug: 'pro',
    name: 'Pro',
    pkg: 'pro',
    monthly: 999,
    annually: 9990,
    features: { webDomain: true, dnsZone: true, mailDomain: true },
  },
  {
    slug: 'business',
    name: 'Business',
    pkg: 'business',
    monthly: 2499,
    annually: 24990,
    features: { webDomain: true, dnsZone: true, mailDomain: true },
  },
];

export async function isEmptyInstall(app: AppContext): Promise<boolean> {
  return (await countClients(app.db.kysely)) === 0;
}

export async function seedDemo(app: AppContext): Promise<{ clientId: string }> {
  const db = app.db.kysely;
  const now = app.clock.nowMs();
  const categoryId = newId('category', now);
  await insertCategory(db, {
    id: categoryId,
    slug: 'web-hosting',
    name: 'Web Hosting',
    description: 'Shared hosting on HestiaCP with a website, DNS and mail. [demo]',
    sort_order: 1,
  });
  const productIds: string[] = [];
  for (const [i, p] of PRODUCTS.entries()) {
    const id = newId('product', now + i);
    productIds.push(id);
    const prices = (
      [
        ['monthly', p.monthly],
        ['annually', p.annually],
      ] as [BillingCycle, number][]
    ).map(([cycle, amount]) => ({
      product_id: id,
      billing_cycle: cycle,
      amount_minor: amount,
      setup_fee_minor: 0,
      currency: 'USD',
    }));
    await insertProduct(
      db,
      {
        id,
        category_id: categoryId,
        slug: p.slug,
        name: p.name,
        description: `${p.name} hosting plan. [demo]`,
        module: 'hestia',
        panel_package: p.pkg,
        server_group: 'default',
        features: JSON.stringify(p.features),
        enabled: 1,
        sort_order: i + 1,
        created_at_ms: now,
      },
      prices,
    );
  }
  const client = await createClient(
    { db, clock: app.clock },
    { ...DEMO_CLIENT, company: 'Demo Company [demo]', creditMinor: 5000, isDemo: true },
  );
  // The paid service is provisioned for real (on the sandbox panel) by the worker; the unpaid one
  // waits for the newcomer to pay its invoice through the API and watch it happen.
  const services = [
    { product: 0, domain: 'demo-starter.test', paid: true, amount: 499 },
    { product: 1, domain: 'demo-pro.test', paid: false, amount: 999 },
  ];
  for (const [i, s] of services.entries()) {
    // Each service with its invoice (and, when paid, its provisioning job) in one transaction.
    await db.transaction().execute(async (trx) => {
      const serviceId = newId('service', now + 10 + i);
      await insertService(trx, {
        id: serviceId,
        client_id: client.id,
        product_id: productIds[s.product]!,
        domain: s.domain,
        status: 'pending',
        billing_cycle: 'monthly',
        amount_minor: s.amount,
        currency: 'USD',
        created_at_ms: now,
      });
      const invoiceId = newId('invoice', now + 20 + i);
      const paid = s.paid;
      await insertInvoice(
        trx,
        {
          id: invoiceId,
          client_id: client.id,
          number: `DEMO-${String(i + 1).padStart(6, '0')}`,
          status: paid ? 'paid' : 'unpaid',
          currency: 'USD',
          subtotal_minor: s.amount,
          tax_minor: 0,
          total_minor: s.amount,
          issued_at_ms: now - 5 * DAY_MS,
          due_at_ms: now + 2 * DAY_MS,
          paid_at_ms: paid ? now - 4 * DAY_MS : null,
          created_at_ms: now,
        },
        [
          {
            id: newId('invoiceItem', now),
            invoice_id: invoiceId,
            service_id: serviceId,
            description: `${PRODUCTS[s.product]!.name} hosting — ${s.domain} (monthly) [demo]`,
            amount_minor: s.amount,
            sort_order: 1,
          },
        ],
      );
      if (paid) {
        await enqueueLifecycle(trx, {
          action: 'create',
          serviceId,
          clientId: client.id,
          serverId: null,
          correlationId: newId('request', now),
          actor: { type: 'system', id: null },
          nowMs: now,
        });
      }
    });
  }
  return { clientId: client.id };
}
