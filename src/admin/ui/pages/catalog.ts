import { ApiError, call, session } from '../api.js';
import { badge, el, errorText, money, show, table, toast } from '../dom.js';

const CYCLES = ['monthly', 'quarterly', 'semiannually', 'annually', 'biennially'] as const;

export async function catalogPage(): Promise<void> {
  const [categories, products] = await Promise.all([
    call('GET', '/catalog/categories'),
    call('GET', '/catalog/products'),
  ]);
  show(
    'Catalog',
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
              el('strong', { text: p.name }),
              el('code', { text: p.panel_package }),
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
