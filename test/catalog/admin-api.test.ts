import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxPanel, startSandboxPanel } from '../../src/sandbox/server.js';
import { addServer } from '../../src/servers/servers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient } from '../helpers/factories.js';

describe('Admin API: catalog management', () => {
  let t: TestApp;
  let panelA: SandboxPanel;
  let panelB: SandboxPanel;
  let auth: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('userapi.rate_limit', 'off');
    // Group "web": panel A has the demo packages, panel B only "default".
    panelA = await startSandboxPanel();
    panelB = await startSandboxPanel({
      packages: {
        default: {
          WEB_DOMAINS: '1',
          DNS_DOMAINS: '1',
          MAIL_DOMAINS: '1',
          DATABASES: '1',
          DISK_QUOTA: '1000',
          BANDWIDTH: '10000',
        },
      },
    });
    for (const [name, panel] of [
      ['web-a', panelA],
      ['web-b', panelB],
    ] as const) {
      await addServer(t.app, {
        name,
        host: panel.host,
        port: panel.port,
        credentials: { kind: 'access_key', ...panel.accessKey },
        tls: { mode: 'pin', sha256: panel.fingerprintSha256 },
        group: 'web',
      });
    }
    await newAdmin(t.app, { email: 'ops@example.com', name: 'Ops', password: 'admin-password-1' });
    auth = basicHeader('ops@example.com', 'admin-password-1');
  });
  afterAll(async () => {
    await panelA?.close();
    await panelB?.close();
    await t?.close();
  });

  const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.inject({
      method,
      url: `/admin/api/v1${url}`,
      headers: { authorization: auth },
      ...(payload ? { payload } : {}),
    });
  const publicGet = (url: string) => t.inject({ method: 'GET', url: `/api/v1${url}` });
  const auditOf = (targetId: string) =>
    t.app.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'actor_type', 'actor_id', 'details'])
      .where('target_id', '=', targetId)
      .orderBy('at_ms')
      .orderBy('id')
      .execute();

  async function category(name: string, extra: object = {}) {
    const res = await admin('POST', '/catalog/categories', { name, ...extra });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; slug: string };
  }
  const price = (amount: number, cycle = 'monthly') => ({
    billing_cycle: cycle,
    currency: 'USD',
    amount_minor: amount,
  });

  it('creates a category with a slug from its name, renames, orders and hides it — audited with the admin', async () => {
    const created = await category('Web Hosting', { description: 'Sites', sort_order: 5 });
    expect(created).toMatchObject({ slug: 'web-hosting', name: 'Web Hosting', sort_order: 5, hidden: false });

    const dup = await admin('POST', '/catalog/categories', { name: 'Web hosting' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().detail).toContain('slug "web-hosting" already exists');

    const changed = await admin('PATCH', `/catalog/categories/${created.id}`, {
      name: 'Shared Hosting',
      sort_order: 1,
      hidden: true,
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ name: 'Shared Hosting', slug: 'web-hosting', sort_order: 1, hidden: true });
    const list = await admin('GET', '/catalog/categories');
    expect(list.json().items.find((c: { id: string }) => c.id === created.id)).toMatchObject({ hidden: true });

    const entries = await auditOf(created.id);
    expect(entries.map((e) => e.action)).toEqual(['category.create', 'category.update']);
    expect(entries[1]).toMatchObject({ actor_type: 'admin' });
    expect(entries[1]?.actor_id).toMatch(/^adm_/);
    expect(JSON.parse(entries[1]?.details ?? '{}').changes).toEqual({
      name: { from: 'Web Hosting', to: 'Shared Hosting' },
      sort_order: { from: 5, to: 1 },
      hidden: { from: 0, to: 1 },
    });
  });

  it('checks the package on every enabled server of the group and names the ones lacking it', async () => {
    const cat = await category('VPS');
    const missing = await admin('POST', '/catalog/products', {
      name: 'Starter Web',
      category_id: cat.id,
      panel_package: 'starter',
      server_group: 'web',
      prices: [price(500)],
    });
    expect(missing.statusCode).toBe(400);
    const problem = missing.json();
    expect(problem.detail).toContain('server web-b lacks it');
    expect(problem.detail).not.toContain('web-a');
    expect(problem.detail).toContain('Create the package in HestiaCP under Packages');
    expect(problem.detail).toContain('skip_package_check');
    expect(problem.errors[0].field).toBe('panel_package');
    expect((await admin('GET', '/catalog/products')).json().items).toHaveLength(0);

    const skipped = await admin('POST', '/catalog/products', {
      name: 'Starter Web',
      category_id: cat.id,
      panel_package: 'starter',
      server_group: 'web',
      prices: [price(500)],
      skip_package_check: true,
    });
    expect(skipped.statusCode).toBe(201);
    expect(skipped.json().warnings[0]).toContain('package check was skipped');

    const present = await admin('POST', '/catalog/products', {
      name: 'Basic Web',
      category_id: cat.id,
      panel_package: 'default',
      server_group: 'web',
      prices: [price(300)],
    });
    expect(present.statusCode).toBe(201);
    expect(present.json().warnings).toEqual([]);

    const empty = await admin('POST', '/catalog/products', {
      name: 'Future',
      category_id: cat.id,
      panel_package: 'anything',
      server_group: 'nowhere',
      prices: [price(300)],
    });
    expect(empty.statusCode).toBe(201);
    expect(empty.json().warnings[0]).toContain('Group "nowhere" has no enabled servers yet');

    // Changing the package checks it again.
    const change = await admin('PATCH', `/catalog/products/${present.json().product.id}`, { panel_package: 'starter' });
    expect(change.statusCode).toBe(400);
    expect(change.json().detail).toContain('server web-b lacks it');
  });

  it('reports each product’s package: on every server, lacking on one, or a group without servers', async () => {
    const cat = await category('Reports');
    const saved = async (name: string, pkg: string, group: string) => {
      const res = await admin('POST', '/catalog/products', {
        name,
        category_id: cat.id,
        panel_package: pkg,
        server_group: group,
        prices: [price(700)],
        skip_package_check: true,
      });
      expect(res.statusCode).toBe(201);
      return res.json().product.id as string;
    };
    const everywhere = await saved('Report Default', 'default', 'web');
    const lacking = await saved('Report Pro', 'pro', 'web');
    const empty = await saved('Report Nowhere', 'default', 'nowhere');
    const res = await admin('GET', '/catalog/package-check');
    expect(res.statusCode).toBe(200);
    const byId = new Map(res.json().items.map((r: { product_id: string }) => [r.product_id, r]));
    expect(byId.get(everywhere)).toMatchObject({ status: 'confirmed', servers: ['web-a', 'web-b'], problems: [] });
    expect(byId.get(lacking)).toMatchObject({ status: 'missing', servers: ['web-a', 'web-b'] });
    expect((byId.get(lacking) as { problems: string[] }).problems).toEqual([
      expect.stringContaining('server web-b lacks it'),
    ]);
    expect(byId.get(empty)).toMatchObject({ status: 'no_servers', servers: [], problems: [] });
    const one = await admin('GET', `/catalog/package-check?product_id=${lacking}`);
    expect(one.json().items.map((r: { product_id: string }) => r.product_id)).toEqual([lacking]);
    const unknown = await admin('GET', '/catalog/package-check?product_id=no-such-product');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
  });

  it('says which server could not be asked and why', async () => {
    const gone = await startSandboxPanel();
    await addServer(t.app, {
      name: 'gone1',
      host: gone.host,
      port: gone.port,
      credentials: { kind: 'access_key', ...gone.accessKey },
      tls: { mode: 'pin', sha256: gone.fingerprintSha256 },
      group: 'offline',
    });
    await gone.close();
    const cat = await category('Offline');
    const res = await admin('POST', '/catalog/products', {
      name: 'Offline Plan',
      category_id: cat.id,
      panel_package: 'default',
      server_group: 'offline',
      prices: [price(100)],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/server gone1 could not be asked: .+/);
    expect(res.json().detail).toContain('portico server check');
  });

  it('refuses a duplicate cycle and a negative price, naming the field', async () => {
    const cat = await category('Checks');
    const dup = await admin('POST', '/catalog/products', {
      name: 'Dup',
      category_id: cat.id,
      panel_package: 'default',
      prices: [price(100), price(200)],
      skip_package_check: true,
    });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().detail).toContain('monthly price in USD is given twice');
    expect(dup.json().errors[0].field).toBe('prices.1');
    const negative = await admin('POST', '/catalog/products', {
      name: 'Neg',
      category_id: cat.id,
      panel_package: 'default',
      prices: [price(-1)],
      skip_package_check: true,
    });
    expect(negative.statusCode).toBe(400);
    expect(JSON.stringify(negative.json().errors)).toContain('amount_minor');
  });

  it('public catalog: hidden things are not listed, a hidden product is orderable by id, a disabled one is not', async () => {
    const shown = await category('Shown');
    const secret = await category('Secret', { hidden: true });
    const make = async (name: string, categoryId: string, extra: object = {}) => {
      const res = await admin('POST', '/catalog/products', {
        name,
        category_id: categoryId,
        panel_package: 'default',
        prices: [price(700), price(7000, 'annually'), { ...price(650), currency: 'EUR', setup_fee_minor: 100 }],
        skip_package_check: true,
        ...extra,
      });
      expect(res.statusCode).toBe(201);
      return res.json().product.id as string;
    };
    const listed = await make('Listed', shown.id);
    const privateOffer = await make('Private', shown.id, { hidden: true });
    const inSecret = await make('In Secret', secret.id);
    const retired = await make('Retired', shown.id);
    expect((await admin('POST', `/catalog/products/${retired}/disable`)).statusCode).toBe(200);

    const categories = (await publicGet('/categories')).json().items.map((c: { id: string }) => c.id);
    expect(categories).toContain(shown.id);
    expect(categories).not.toContain(secret.id);
    const products = (await publicGet('/products')).json().items;
    const ids = products.map((p: { id: string }) => p.id);
    expect(ids).toContain(listed);
    expect(ids).not.toContain(privateOffer);
    expect(ids).not.toContain(inSecret);
    expect(ids).not.toContain(retired);
    expect(products.find((p: { id: string }) => p.id === listed).prices).toEqual(
      expect.arrayContaining([
        { billing_cycle: 'monthly', amount_minor: 700, setup_fee_minor: 0, currency: 'USD' },
        { billing_cycle: 'annually', amount_minor: 7000, setup_fee_minor: 0, currency: 'USD' },
        { billing_cycle: 'monthly', amount_minor: 650, setup_fee_minor: 100, currency: 'EUR' },
      ]),
    );

    expect((await publicGet(`/products/${privateOffer}`)).statusCode).toBe(200);
    expect((await publicGet(`/products/${retired}`)).statusCode).toBe(404);

    const me = await newClient(t.app);
    const order = (productId: string, domain: string) =>
      t.inject({
        method: 'POST',
        url: '/api/v1/orders',
        headers: { authorization: me.basic },
        payload: { product_id: productId, billing_cycle: 'monthly', domain },
      });
    expect((await order(privateOffer, 'private.example')).statusCode).toBe(201);
    expect((await order(retired, 'retired.example')).statusCode).toBe(404);

    // The admin still sees the disabled product and can put it back on sale.
    expect((await admin('GET', `/catalog/products/${retired}`)).json()).toMatchObject({ enabled: false });
    expect((await admin('POST', `/catalog/products/${retired}/enable`)).json().product.enabled).toBe(true);
    expect((await publicGet(`/products/${retired}`)).statusCode).toBe(200);
  });

  it('a price change applies to new orders; the service keeps its amount until the admin changes it', async () => {
    const cat = await category('Pricing');
    const created = await admin('POST', '/catalog/products', {
      name: 'Priced',
      category_id: cat.id,
      panel_package: 'default',
      prices: [price(500)],
      skip_package_check: true,
    });
    const productId = created.json().product.id as string;
    const me = await newClient(t.app);
    const order = (domain: string) =>
      t.inject({
        method: 'POST',
        url: '/api/v1/orders',
        headers: { authorization: me.basic },
        payload: { product_id: productId, billing_cycle: 'monthly', domain },
      });
    const first = await order('first.example');
    expect(first.statusCode).toBe(201);
    const serviceId = first.json().service_id as string;

    const repriced = await admin('PATCH', `/catalog/products/${productId}`, {
      prices: [price(800), price(8000, 'annually')],
    });
    expect(repriced.statusCode).toBe(200);
    expect(repriced.json().product.prices.map((p: { amount_minor: number }) => p.amount_minor)).toEqual([800, 8000]);
    const productAudit = await auditOf(productId);
    expect(JSON.parse(productAudit.at(-1)?.details ?? '{}').changes.prices.from[0].amount_minor).toBe(500);

    const serviceRow = () =>
      t.app.db.kysely
        .selectFrom('services')
        .select(['amount_minor', 'next_due_at_ms'])
        .where('id', '=', serviceId)
        .executeTakeFirstOrThrow();
    expect((await serviceRow()).amount_minor).toBe(500);

    const second = await order('second.example');
    const invoice = await t.app.db.kysely
      .selectFrom('invoices')
      .select('subtotal_minor')
      .where('id', '=', second.json().invoice_id)
      .executeTakeFirstOrThrow();
    expect(invoice.subtotal_minor).toBe(800);

    const set = await admin('PATCH', `/services/${serviceId}/billing`, {
      amount_minor: 400,
      next_due_at: '2027-03-01',
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ amount_minor: 400, currency: 'USD', next_due_at: '2027-03-01T00:00:00.000Z' });
    expect(await serviceRow()).toEqual({ amount_minor: 400, next_due_at_ms: Date.parse('2027-03-01T00:00:00Z') });
    const [entry] = (await auditOf(serviceId)).filter((e) => e.action === 'service.billing.update');
    expect(entry?.actor_type).toBe('admin');
    expect(JSON.parse(entry?.details ?? '{}').changes.amount_minor).toEqual({ from: 500, to: 400 });

    const bad = await admin('PATCH', `/services/${serviceId}/billing`, { next_due_at: '2027-02-30' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('YYYY-MM-DD');
  });
});
