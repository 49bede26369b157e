import type { Command } from 'commander';
import { CliUsageError } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';
import { formatAmount, parseAmount } from '../platform/money.js';
import { BILLING_CYCLES } from './cycles.js';
import type { Actor, PriceInput, ProductView, SavedProduct } from './manage.js';

/** `portico categories …` and `portico products …`: the catalog from the shell, like the Admin API. */
const actor: Actor = { type: 'cli', id: null };
type Cycle = (typeof BILLING_CYCLES)[number];

const collect = (value: string, previous: string[] = []) => [...previous, value];

function parseCycle(raw: string, flag: string): Cycle {
  if ((BILLING_CYCLES as readonly string[]).includes(raw)) return raw as Cycle;
  throw new CliUsageError(`${flag}: unknown billing cycle "${raw}"; use one of ${BILLING_CYCLES.join(', ')}.`);
}

function parseMoney(raw: string, currency: string, flag: string): number {
  const minor = parseAmount(raw, currency);
  if (minor === null) {
    throw new CliUsageError(`${flag}: "${raw}" is not an amount in ${currency}; write it as a decimal, e.g. 5.00.`);
  }
  if (minor < 0) throw new CliUsageError(`${flag}: the amount ${raw} is negative; prices are 0 or more.`);
  return minor;
}

function parseCurrency(raw: string): string {
  const currency = raw.toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new CliUsageError(`--currency: "${raw}" is not a currency code such as USD.`);
  return currency;
}

function parseOrder(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,7}$/.test(raw)) throw new CliUsageError('--order takes a whole number, e.g. 10.');
  return Number(raw);
}

function parseBool(raw: string | undefined, flag: string): boolean | undefined {
  if (raw === undefined) return undefined;
  if (['true', 'yes', 'on', '1'].includes(raw)) return true;
  if (['false', 'no', 'off', '0'].includes(raw)) return false;
  throw new CliUsageError(`${flag} takes true or false.`);
}

/** `--price monthly=5.00` (repeatable) → one price per cycle; a cycle given twice is refused. */
function parsePrices(raws: string[], currency: string, setupFeeMinor: number | undefined): PriceInput[] {
  const seen = new Set<Cycle>();
  return raws.map((raw) => {
    const eq = raw.indexOf('=');
    if (eq < 0) throw new CliUsageError(`--price "${raw}": write it as CYCLE=AMOUNT, e.g. --price monthly=5.00.`);
    const cycle = parseCycle(raw.slice(0, eq), '--price');
    if (seen.has(cycle)) throw new CliUsageError(`--price: the ${cycle} price is given twice; give each cycle once.`);
    seen.add(cycle);
    return {
      billing_cycle: cycle,
      currency,
      amount_minor: parseMoney(raw.slice(eq + 1), currency, `--price ${cycle}`),
      ...(setupFeeMinor !== undefined ? { setup_fee_minor: setupFeeMinor } : {}),
    };
  });
}

function printProduct(p: ProductView, categoryName?: string) {
  const flags = [p.enabled ? 'enabled' : 'DISABLED', p.hidden ? 'hidden' : ''].filter(Boolean).join(', ');
  console.log(`${p.name} (${p.id}, slug ${p.slug}) — ${flags}`);
  console.log(`  category:  ${categoryName ?? p.category_id}`);
  console.log(`  package:   ${p.panel_package} on group ${p.server_group}`);
  const includes = [
    p.features.web_domain ? 'web domain' : '',
    p.features.dns_zone ? 'DNS zone' : '',
    p.features.mail_domain ? 'mail domain' : '',
  ].filter(Boolean);
  console.log(`  includes:  ${includes.join(', ') || 'nothing'}`);
  if (p.description) console.log(`  about:     ${p.description}`);
  for (const price of p.prices) {
    const setup = price.setup_fee_minor ? ` + setup ${formatAmount(price.setup_fee_minor, price.currency)}` : '';
    console.log(
      `  price:     ${price.billing_cycle.padEnd(13)} ${formatAmount(price.amount_minor, price.currency)} ${price.currency}${setup}`,
    );
  }
}

function printSaved(saved: SavedProduct, verb: string) {
  console.log(`Product ${saved.product.name} ${verb} (${saved.product.id}).`);
  for (const warning of saved.warnings) console.log(`Warning: ${warning}`);
}

interface ProductOpts {
  name?: string;
  category?: string;
  package?: string;
  price?: string[];
  removePrice?: string[];
  setupFee?: string;
  currency?: string;
  webDomain?: boolean;
  dnsZone?: boolean;
  mailDomain?: boolean;
  group?: string;
  hidden?: boolean | string;
  description?: string;
  slug?: string;
  order?: string;
  skipPackageCheck?: boolean;
}

function features(opts: ProductOpts) {
  const f = {
    ...(opts.webDomain !== undefined ? { web_domain: opts.webDomain } : {}),
    ...(opts.dnsZone !== undefined ? { dns_zone: opts.dnsZone } : {}),
    ...(opts.mailDomain !== undefined ? { mail_domain: opts.mailDomain } : {}),
  };
  return Object.keys(f).length ? { features: f } : {};
}

function productOptions(command: Command, forUpdate: boolean): Command {
  command
    .option(
      '--price <cycle=amount>',
      `a price, e.g. monthly=5.00 (repeatable; cycles: ${BILLING_CYCLES.join(', ')})`,
      collect,
    )
    .option('--setup-fee <amount>', 'one-off setup fee with each price given, e.g. 10.00')
    .option(
      '--currency <code>',
      forUpdate ? 'currency of the prices given (default: the product’s)' : 'currency of the prices',
      forUpdate ? undefined : 'USD',
    )
    .option(
      '--group <group>',
      forUpdate ? 'server group accounts are placed in' : 'server group accounts are placed in (default: default)',
    )
    .option('--description <text>', 'what the product is, for clients')
    .option('--slug <slug>', 'the product’s slug (default: from the name)')
    .option('--order <n>', 'sort order, lower first')
    .option('--skip-package-check', 'save without checking the package exists on the group’s servers');
  if (forUpdate) {
    command
      .option('--name <name>', 'new name')
      .option('--category <id|slug|name>', 'move to this category')
      .option('--package <name>', 'HestiaCP package')
      .option('--remove-price <cycle>', 'stop selling this cycle (in --currency; repeatable)', collect)
      .option('--web-domain', 'includes a web domain')
      .option('--no-web-domain', 'no web domain')
      .option('--dns-zone', 'includes a DNS zone')
      .option('--no-dns-zone', 'no DNS zone')
      .option('--mail-domain', 'includes a mail domain')
      .option('--no-mail-domain', 'no mail domain')
      .option('--hidden <bool>', 'true: not listed (still orderable by id); false: listed');
  } else {
    command
      .requiredOption('--name <name>', 'product name, e.g. Starter')
      .requiredOption('--category <id|slug|name>', 'its category')
      .requiredOption('--package <name>', 'the HestiaCP package accounts get')
      .option('--web-domain', 'includes a web domain for the ordered domain')
      .option('--dns-zone', 'includes a DNS zone')
      .option('--mail-domain', 'includes a mail domain')
      .option('--hidden', 'not listed in the catalog (still orderable by id: a private offer)');
  }
  return command;
}

export function registerCatalogCommands(program: Command): void {
  const categories = program.command('categories').description('Manage the catalog’s product categories');
  categories
    .command('create')
    .description('Create a category (its slug is derived from the name unless given)')
    .requiredOption('--name <name>', 'category name, e.g. "Web Hosting"')
    .option('--slug <slug>', 'the slug (default: from the name)')
    .option('--description <text>', 'what the category holds')
    .option('--order <n>', 'sort order, lower first')
    .option('--hidden', 'not listed in the public catalog')
    .action(async (opts: { name: string; slug?: string; description?: string; order?: string; hidden?: boolean }) => {
      const order = parseOrder(opts.order);
      const { createCategory } = await import('./manage.js');
      await withApp(async (app) => {
        const c = await createCategory(app, actor, {
          name: opts.name,
          ...(opts.slug !== undefined ? { slug: opts.slug } : {}),
          ...(opts.description !== undefined ? { description: opts.description } : {}),
          ...(order !== undefined ? { sort_order: order } : {}),
          ...(opts.hidden ? { hidden: true } : {}),
        });
        console.log(`Category ${c.name} created (${c.id}, slug ${c.slug})${c.hidden ? ', hidden' : ''}.`);
      });
    });
  categories
    .command('list')
    .description('List categories, hidden ones too')
    .action(async () => {
      const { listCategoriesForAdmin } = await import('./manage.js');
      await withApp(async (app) => {
        const rows = await listCategoriesForAdmin(app);
        if (rows.length === 0) console.log('No categories yet. Create one with `portico categories create --name …`.');
        for (const c of rows) {
          console.log(
            `${c.id}  ${c.slug.padEnd(20)} order=${String(c.sort_order).padEnd(4)} ${c.name}${c.hidden ? '  (hidden)' : ''}`,
          );
        }
      });
    });
  categories
    .command('update <ref>')
    .description('Change a category (by id, slug or name): name, slug, description, order, hidden')
    .option('--name <name>', 'new name')
    .option('--slug <slug>', 'new slug')
    .option('--description <text>', 'new description')
    .option('--order <n>', 'sort order, lower first')
    .option('--hidden <bool>', 'true: not listed; false: listed')
    .action(
      async (
        ref: string,
        opts: { name?: string; slug?: string; description?: string; order?: string; hidden?: string },
      ) => {
        const order = parseOrder(opts.order);
        const hidden = parseBool(opts.hidden, '--hidden');
        const { resolveCategory, updateCategory } = await import('./manage.js');
        await withApp(async (app) => {
          const current = await resolveCategory(app, ref);
          const c = await updateCategory(app, actor, current.id, {
            ...(opts.name !== undefined ? { name: opts.name } : {}),
            ...(opts.slug !== undefined ? { slug: opts.slug } : {}),
            ...(opts.description !== undefined ? { description: opts.description } : {}),
            ...(order !== undefined ? { sort_order: order } : {}),
            ...(hidden !== undefined ? { hidden } : {}),
          });
          console.log(
            `Category ${c.name} updated (${c.id}, slug ${c.slug}, order ${c.sort_order}${c.hidden ? ', hidden' : ''}).`,
          );
        });
      },
    );

  const products = program.command('products').description('Manage the catalog’s products and their prices');
  productOptions(products.command('create').description('Create a product with its prices'), false).action(
    async (opts: ProductOpts) => {
      const currency = parseCurrency(opts.currency ?? 'USD');
      const setupFee = opts.setupFee === undefined ? undefined : parseMoney(opts.setupFee, currency, '--setup-fee');
      if (!opts.price?.length) throw new CliUsageError('Give at least one --price, e.g. --price monthly=5.00.');
      const prices = parsePrices(opts.price, currency, setupFee);
      const order = parseOrder(opts.order);
      const { createProduct, resolveCategory } = await import('./manage.js');
      await withApp(async (app) => {
        const category = await resolveCategory(app, opts.category ?? '', '--category');
        const saved = await createProduct(app, actor, {
          name: opts.name ?? '',
          category_id: category.id,
          panel_package: opts.package ?? '',
          prices,
          ...(opts.slug !== undefined ? { slug: opts.slug } : {}),
          ...(opts.description !== undefined ? { description: opts.description } : {}),
          ...(opts.group !== undefined ? { server_group: opts.group } : {}),
          ...features(opts),
          ...(opts.hidden ? { hidden: true } : {}),
          ...(order !== undefined ? { sort_order: order } : {}),
          ...(opts.skipPackageCheck ? { skip_package_check: true } : {}),
        });
        printSaved(saved, 'created');
      });
    },
  );
  products
    .command('list')
    .description('List products, disabled and hidden ones too')
    .action(async () => {
      const { listProductsForAdmin } = await import('./manage.js');
      await withApp(async (app) => {
        const rows = await listProductsForAdmin(app);
        if (rows.length === 0) console.log('No products yet. Create one with `portico products create …`.');
        for (const p of rows) {
          const prices = p.prices
            .map((x) => `${x.billing_cycle}=${formatAmount(x.amount_minor, x.currency)} ${x.currency}`)
            .join(' ');
          const flags = [p.enabled ? '' : 'DISABLED', p.hidden ? 'hidden' : ''].filter(Boolean).join(' ');
          console.log(
            `${p.id}  ${p.slug.padEnd(16)} ${p.name.padEnd(16)} package=${p.panel_package} group=${p.server_group} ${prices} ${flags}`.trimEnd(),
          );
        }
      });
    });
  products
    .command('show <ref>')
    .description('One product (by id or slug) with its prices')
    .action(async (ref: string) => {
      const { getProductForAdmin, resolveCategory } = await import('./manage.js');
      await withApp(async (app) => {
        const p = await getProductForAdmin(app, ref);
        const category = await resolveCategory(app, p.category_id);
        printProduct(p, `${category.name} (${category.slug})`);
      });
    });
  productOptions(
    products
      .command('update <ref>')
      .description('Change a product (by id or slug); --price replaces that cycle’s price, --remove-price drops one'),
    true,
  ).action(async (ref: string, opts: ProductOpts) => {
    const hidden = parseBool(typeof opts.hidden === 'string' ? opts.hidden : undefined, '--hidden');
    const order = parseOrder(opts.order);
    const removals = (opts.removePrice ?? []).map((c) => parseCycle(c, '--remove-price'));
    const { getProductForAdmin, resolveCategory, updateProduct } = await import('./manage.js');
    await withApp(async (app) => {
      const current = await getProductForAdmin(app, ref);
      const currency = parseCurrency(opts.currency ?? current.prices[0]?.currency ?? 'USD');
      const setupFee = opts.setupFee === undefined ? undefined : parseMoney(opts.setupFee, currency, '--setup-fee');
      const given = parsePrices(opts.price ?? [], currency, setupFee);
      let prices: PriceInput[] | undefined;
      if (given.length || removals.length || setupFee !== undefined) {
        for (const cycle of removals) {
          if (given.some((g) => g.billing_cycle === cycle)) {
            throw new CliUsageError(`--remove-price ${cycle} and --price ${cycle} contradict each other; give one.`);
          }
          if (!current.prices.some((p) => p.billing_cycle === cycle && p.currency === currency)) {
            throw new CliUsageError(`--remove-price ${cycle}: ${current.name} has no ${cycle} price in ${currency}.`);
          }
        }
        const replaced = (p: { billing_cycle: Cycle; currency: string }) =>
          p.currency === currency &&
          (removals.includes(p.billing_cycle) || given.some((g) => g.billing_cycle === p.billing_cycle));
        const kept = current.prices
          .filter((p) => !replaced(p))
          .map((p) => ({
            ...p,
            // --setup-fee alone changes the setup fee of every price in that currency.
            ...(setupFee !== undefined && p.currency === currency ? { setup_fee_minor: setupFee } : {}),
          }));
        const added = given.map((g) => ({
          ...g,
          setup_fee_minor:
            g.setup_fee_minor ??
            current.prices.find((p) => p.billing_cycle === g.billing_cycle && p.currency === currency)
              ?.setup_fee_minor ??
            0,
        }));
        prices = [...kept, ...added];
        if (prices.length === 0) {
          throw new CliUsageError(
            'That would leave the product without prices: keep one, or disable it with `portico products disable`.',
          );
        }
      }
      const category =
        opts.category !== undefined ? await resolveCategory(app, opts.category, '--category') : undefined;
      const saved = await updateProduct(app, actor, current.id, {
        ...(opts.name !== undefined ? { name: opts.name } : {}),
        ...(category ? { category_id: category.id } : {}),
        ...(opts.package !== undefined ? { panel_package: opts.package } : {}),
        ...(prices ? { prices } : {}),
        ...(opts.slug !== undefined ? { slug: opts.slug } : {}),
        ...(opts.description !== undefined ? { description: opts.description } : {}),
        ...(opts.group !== undefined ? { server_group: opts.group } : {}),
        ...features(opts),
        ...(hidden !== undefined ? { hidden } : {}),
        ...(order !== undefined ? { sort_order: order } : {}),
        ...(opts.skipPackageCheck ? { skip_package_check: true } : {}),
      });
      printSaved(saved, 'updated');
      if (prices)
        console.log('New prices apply to new orders; existing services keep theirs (`portico services set-price`).');
    });
  });
  for (const action of ['disable', 'enable'] as const) {
    products
      .command(`${action} <ref>`)
      .description(
        action === 'disable'
          ? 'Take a product off sale: not listed, not orderable; existing services go on'
          : 'Put a disabled product back on sale',
      )
      .option('--skip-package-check', 'enable without checking the package exists on the group’s servers')
      .action(async (ref: string, opts: { skipPackageCheck?: boolean }) => {
        const { resolveProduct, updateProduct } = await import('./manage.js');
        await withApp(async (app) => {
          const row = await resolveProduct(app, ref);
          const saved = await updateProduct(app, actor, row.id, {
            enabled: action === 'enable',
            ...(opts.skipPackageCheck ? { skip_package_check: true } : {}),
          });
          printSaved(saved, action === 'enable' ? 'enabled' : 'disabled');
        });
      });
  }
}
