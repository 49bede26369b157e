import { ApiError, call, type Response, session } from '../api.js';
import { badge, el, errorText, facts, money, show, table, toast } from '../dom.js';
import { link } from '../nav.js';

const CYCLES = ['monthly', 'quarterly', 'semiannually', 'annually', 'biennially'] as const;

export async function catalogPage(): Promise<void> {
  const [categories, products] = await Promise.all([
    call('GET', '/catalog/categories'),
    call('GET', '/catalog/products'),
  ]);
  const packages = el('div', { role: 'status', 'aria-live': 'polite', class: 'package-summary' });
  show(
    'Catalog',
    packages,
    ...categories.items.map((c) =>
      el(
        'section',
        { 'aria-label': c.name },
        el('h2', { text: c.name }),
        table(
          `Products in ${c.name}`,
          ['Product', 'Panel package', 'Server group', 'Prices', 'Status'],
          products.items
            .filter((p) => p.category_id === c.id)
            .map((p) => [
              link(`#/catalog/products/${p.id}`, p.name),
              el(
                'span',
                { class: 'package' },
                el('code', { text: p.panel_package }),
                ' ',
                el('span', { 'data-package': p.id, class: 'muted', text: 'checking…' }),
              ),
              p.server_group,
              p.prices
                .map(
                  (x) =>
                    `${money(x.amount_minor, x.currency)} ${x.billing_cycle}${x.setup_fee_minor ? ` + ${money(x.setup_fee_minor, x.currency)} setup` : ''}`,
                )
                .join(' · '),
              badge(p.enabled ? (p.hidden ? 'hidden' : 'active') : 'disabled'),
            ]),
          { 'data-category': c.slug },
        ),
      ),
    ),
    // Changing the catalog is for roles with the catalog permission; the others see it only.
    session.may('catalog')
      ? [
          el('h2', { text: 'New category' }),
          categoryForm(),
          el('h2', { text: 'New product' }),
          categories.items.length
            ? productForm(categories.items.map((c) => [c.id, c.name]))
            : el('p', { class: 'muted', text: 'Add a category first: every product is in one.' }),
        ]
      : null,
  );
  // The panels are asked after the list is shown: a slow panel does not hold the page.
  if (products.items.length) void flagPackages(packages, products.items);
}

type Product = Response<'/catalog/products', 'GET'>['items'][number];
type PackageReport = Response<'/catalog/package-check', 'GET'>['items'][number];

function packageBadge(report: PackageReport): HTMLElement {
  const text = { confirmed: 'on every server', missing: 'missing', no_servers: 'no servers in group' }[report.status];
  return el('span', {
    class: `badge status-${report.status === 'confirmed' ? 'active' : report.status === 'missing' ? 'failed' : 'pending'}`,
    'data-package-status': report.status,
    text,
  });
}

/** Marks each product whose package some server of its group lacks, and sums them up at the top. */
async function flagPackages(summary: HTMLElement, products: Product[]): Promise<void> {
  let reports: PackageReport[];
  try {
    reports = (await call('GET', '/catalog/package-check')).items;
  } catch (e) {
    if (summary.isConnected)
      summary.replaceChildren(el('p', { class: 'error', text: `Package check: ${errorText(e)}` }));
    return;
  }
  if (!summary.isConnected) return;
  for (const report of reports)
    document.querySelector(`[data-package="${report.product_id}"]`)?.replaceWith(packageBadge(report));
  const missing = reports.filter((r) => r.status === 'missing');
  summary.replaceChildren(
    missing.length
      ? el(
          'div',
          { class: 'card warning' },
          el('strong', {
            text: `${missing.length} product${missing.length === 1 ? '' : 's'} cannot be provisioned: the panel package is missing on a server of the group.`,
          }),
          el(
            'ul',
            {},
            ...missing.map((r) =>
              el(
                'li',
                {},
                link(
                  `#/catalog/products/${r.product_id}`,
                  products.find((p) => p.id === r.product_id)?.name ?? r.product_id,
                ),
                `: ${r.problems.join('; ')}`,
              ),
            ),
          ),
        )
      : el('p', { class: 'muted', text: 'Every product’s panel package is on the servers of its group.' }),
  );
}

export async function productPage(id: string): Promise<void> {
  const [product, categories] = await Promise.all([
    call('GET', '/catalog/products/{id}', { params: { id } }),
    call('GET', '/catalog/categories'),
  ]);
  const check = el(
    'div',
    { role: 'status', 'aria-live': 'polite' },
    el('p', { class: 'progress', text: 'Asking the panels for the package…' }),
  );
  show(
    product.name,
    el('p', {}, link('#/catalog', '← Catalog')),
    el('div', { class: 'row' }, badge(product.enabled ? (product.hidden ? 'hidden' : 'active') : 'disabled')),
    facts([
      ['Category', categories.items.find((c) => c.id === product.category_id)?.name ?? product.category_id],
      ['Panel package', el('code', { text: product.panel_package })],
      ['Server group', product.server_group],
      ['Slug', el('code', { text: product.slug })],
      ['Product id', el('code', { text: product.id })],
    ]),
    el('h2', { text: 'Prices' }),
    table(
      'Prices',
      ['Cycle', 'Price', 'Setup fee'],
      product.prices.map((x) => [
        x.billing_cycle,
        money(x.amount_minor, x.currency),
        x.setup_fee_minor ? money(x.setup_fee_minor, x.currency) : '—',
      ]),
    ),
    el('h2', { text: 'Panel package' }),
    check,
  );
  try {
    const [report] = (await call('GET', '/catalog/package-check', { query: { product_id: product.id } })).items;
    if (!report || !check.isConnected) return;
    check.replaceChildren(
      el(
        'p',
        {},
        packageBadge(report),
        ' ',
        report.status === 'confirmed'
          ? `Package ${report.panel_package} is on ${report.servers.join(', ')}.`
          : report.status === 'no_servers'
            ? `Group ${report.server_group} has no enabled server: orders wait until one is added.`
            : `Orders of ${product.name} fail on the servers that lack package ${report.panel_package}: create it there in HestiaCP under Packages.`,
      ),
      ...(report.problems.length
        ? [el('ul', { class: 'card warning' }, ...report.problems.map((t) => el('li', { text: t })))]
        : []),
    );
  } catch (e) {
    if (check.isConnected) check.replaceChildren(el('p', { class: 'error', text: errorText(e) }));
  }
}

function fieldErrors(e: unknown): string {
  return e instanceof ApiError && e.fields.length
    ? e.fields.map((f) => `${f.field.replace(/^body\./, '')}: ${f.message}`).join('; ')
    : errorText(e);
}

function categoryForm(): HTMLElement {
  const name = el('input', { name: 'name', required: true, maxlength: 100 });
  const error = el('p', { class: 'error', role: 'alert' });
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'New category' },
    el('label', {}, 'Category name', name),
    error,
    el('div', {}, el('button', { type: 'submit', class: 'primary', text: 'Add category' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      await call('POST', '/catalog/categories', { body: { name: name.value } });
      toast(`Category ${name.value} added.`);
      await catalogPage();
    } catch (e) {
      error.textContent = fieldErrors(e);
    }
  });
  return form;
}

function productForm(categories: [string, string][]): HTMLElement {
  const category = el(
    'select',
    { name: 'category_id' },
    ...categories.map(([id, n]) => el('option', { value: id, text: n })),
  );
  const name = el('input', { name: 'name', required: true, maxlength: 100 });
  const pkg = el('input', { name: 'panel_package', required: true, maxlength: 100 });
  const cycle = el('select', { name: 'billing_cycle' }, ...CYCLES.map((c) => el('option', { value: c, text: c })));
  const currency = el('input', { name: 'currency', required: true, value: 'USD', pattern: '[A-Z]{3}', maxlength: 3 });
  const price = el('input', { name: 'price', required: true, inputmode: 'decimal', pattern: '[0-9]+([.][0-9]+)?' });
  const error = el('p', { class: 'error', role: 'alert' });
  const form = el(
    'form',
    { class: 'card grid', 'aria-label': 'New product' },
    el('label', {}, 'Category', category),
    el('label', {}, 'Product name', name),
    el('label', {}, 'Panel package', pkg),
    el('label', {}, 'Billing cycle', cycle),
    el('label', {}, 'Currency', currency),
    el('label', {}, 'Price', price),
    error,
    el('div', {}, el('button', { type: 'submit', class: 'primary', text: 'Add product' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    let digits = 2;
    try {
      digits =
        new Intl.NumberFormat('en', { style: 'currency', currency: currency.value }).resolvedOptions()
          .maximumFractionDigits ?? 2;
    } catch {
      error.textContent = `${currency.value} is not a currency code (ISO 4217, e.g. USD).`;
      return;
    }
    try {
      const created = await call('POST', '/catalog/products', {
        body: {
          category_id: category.value,
          name: name.value,
          panel_package: pkg.value,
          prices: [
            {
              billing_cycle: cycle.value as (typeof CYCLES)[number],
              currency: currency.value,
              amount_minor: Math.round(Number(price.value) * 10 ** digits),
            },
          ],
        },
      });
      toast(`Product ${created.product.name} added.`);
      await catalogPage();
    } catch (e) {
      error.textContent = fieldErrors(e);
    }
  });
  return form;
}
