import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { newClient, newService } from '../helpers/factories.js';

describe('portico categories / products / services set-price', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp({ db });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const cli = (...args: string[]) => runCli(db, args);

  it('creates a category and a product with decimal prices, then shows and lists it', async () => {
    const cat = await cli('categories', 'create', '--name', 'Web Hosting', '--order', '2');
    expect(cat.stderr).toBe('');
    expect(cat.stdout).toMatch(/Category Web Hosting created \(cat_\w+, slug web-hosting\)/);

    const made = await cli(
      'products',
      'create',
      '--name',
      'Starter',
      '--category',
      'Web Hosting',
      '--package',
      'starter',
      '--price',
      'monthly=5.00',
      '--price',
      'annually=50.00',
      '--setup-fee',
      '10.00',
      '--web-domain',
      '--dns-zone',
      '--description',
      'One site',
    );
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('Product Starter created (prd_');
    expect(made.stdout).toContain('Warning: Group "default" has no enabled servers yet');

    const rows = await t.app.db.kysely
      .selectFrom('product_prices')
      .select(['billing_cycle', 'currency', 'amount_minor', 'setup_fee_minor'])
      .orderBy('billing_cycle')
      .execute();
    expect(rows).toEqual([
      { billing_cycle: 'annually', currency: 'USD', amount_minor: 5000, setup_fee_minor: 1000 },
      { billing_cycle: 'monthly', currency: 'USD', amount_minor: 500, setup_fee_minor: 1000 },
    ]);

    const shown = await cli('products', 'show', 'starter');
    expect(shown.stdout).toContain('category:  Web Hosting (web-hosting)');
    expect(shown.stdout).toContain('includes:  web domain, DNS zone');
    expect(shown.stdout).toMatch(/monthly\s+5\.00 USD \+ setup 10\.00/);
  }, 300_000);

  it('refuses a bad amount, an unknown cycle, a duplicate cycle and a negative price, naming the option', async () => {
    const base = ['products', 'create', '--name', 'Bad', '--category', 'web-hosting', '--package', 'starter'];
    const cases: [string[], string][] = [
      [['--price', 'monthly=5,00'], '--price monthly: "5,00" is not an amount in USD'],
      [['--price', 'weekly=1.00'], '--price: unknown billing cycle "weekly"'],
      [['--price', 'monthly=1.00', '--price', 'monthly=2.00'], 'the monthly price is given twice'],
      [['--price', 'monthly=-1.00'], 'negative'],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(...base, ...args)));
    results.forEach((res, i) => {
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(cases[i]?.[1]);
    });
    const count = await t.app.db.kysely.selectFrom('products').select('id').where('name', '=', 'Bad').execute();
    expect(count).toEqual([]);
  }, 300_000);

  it('updates a price, removes a cycle, disables the product, and sets an existing service’s price', async () => {
    const client = await newClient(t.app);
    const product = await t.app.db.kysely
      .selectFrom('products')
      .select('id')
      .where('slug', '=', 'starter')
      .executeTakeFirstOrThrow();
    const service = await newService(t.app, { clientId: client.row.id, productId: product.id });

    const updated = await cli('products', 'update', 'starter', '--price', 'monthly=6.00', '--remove-price', 'annually');
    expect(updated.stderr).toBe('');
    expect(updated.stdout).toContain('existing services keep theirs');
    const prices = await t.app.db.kysely
      .selectFrom('product_prices')
      .select(['billing_cycle', 'amount_minor', 'setup_fee_minor'])
      .where('product_id', '=', product.id)
      .execute();
    expect(prices).toEqual([{ billing_cycle: 'monthly', amount_minor: 600, setup_fee_minor: 1000 }]);
    const absent = await cli('products', 'update', 'starter', '--remove-price', 'quarterly');
    expect(absent.stderr).toContain('has no quarterly price in USD');

    const serviceAmount = async () =>
      (
        await t.app.db.kysely
          .selectFrom('services')
          .select('amount_minor')
          .where('id', '=', service.id)
          .executeTakeFirstOrThrow()
      ).amount_minor;
    expect(await serviceAmount()).toBe(499);

    const disabled = await cli('products', 'disable', 'starter');
    expect(disabled.stdout).toContain('Product Starter disabled');
    expect((await cli('products', 'list')).stdout).toMatch(/starter .* DISABLED/);
    expect((await t.inject({ method: 'GET', url: `/api/v1/products/${product.id}` })).statusCode).toBe(404);

    const set = await cli('services', 'set-price', service.id, '--amount', '4.00', '--due', '2027-01-31');
    expect(set.stderr).toBe('');
    expect(set.stdout).toContain('renews at 4.00 USD monthly, next due 2027-01-31T00:00:00.000Z');
    expect(await serviceAmount()).toBe(400);
    const entry = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['actor_type', 'details'])
      .where('target_id', '=', service.id)
      .where('action', '=', 'service.billing.update')
      .executeTakeFirstOrThrow();
    expect(entry.actor_type).toBe('cli');
    expect(JSON.parse(entry.details ?? '{}').changes.amount_minor).toEqual({ from: 499, to: 400 });

    const [bad, badDue] = await Promise.all([
      cli('services', 'set-price', service.id, '--amount', '4.999'),
      cli('services', 'set-price', service.id, '--due', '31/01/2027'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--amount: "4.999" is not an amount in USD');
    expect(badDue.code).toBe(1);
    expect(badDue.stderr).toContain('--due must be a date as YYYY-MM-DD');
  }, 300_000);

  it('updates a category by slug: rename, order, hide', async () => {
    const res = await cli(
      'categories',
      'update',
      'web-hosting',
      '--name',
      'Hosting',
      '--order',
      '9',
      '--hidden',
      'true',
    );
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('Category Hosting updated');
    const list = await cli('categories', 'list');
    expect(list.stdout).toMatch(/web-hosting\s+order=9\s+Hosting\s+\(hidden\)/);
    const wrong = await cli('categories', 'update', 'web-hosting', '--hidden', 'maybe');
    expect(wrong.stderr).toContain('--hidden takes true or false');
  }, 300_000);
});
