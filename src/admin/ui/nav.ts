// Links and the query string of the current page (the part of the hash after `?`).
import { el } from './dom.js';

export function link(href: string, text: string, attrs: Record<string, string> = {}): HTMLAnchorElement {
  return el('a', { href, ...attrs, text });
}

export function hashWith(path: string, query: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const qs = search.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

/** A filter form whose submit navigates to the same page with the form's values as the query. */
export function filterForm(path: string, label: string, fields: HTMLElement[], submit = 'Search'): HTMLFormElement {
  const form = el(
    'form',
    { class: 'card filters', role: 'search', 'aria-label': label },
    ...fields,
    el('div', { class: 'row' }, el('button', { class: 'primary', type: 'submit', text: submit })),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values: Record<string, string> = {};
    for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v) values[k] = v;
    location.hash = hashWith(path, values);
  });
  return form;
}

export function textField(name: string, label: string, value: string | null, type = 'text'): HTMLElement {
  return el('label', {}, label, el('input', { name, type, value: value ?? '' }));
}

export function selectField(
  name: string,
  label: string,
  options: readonly (string | [string, string])[],
  value: string | null,
): HTMLElement {
  const select = el(
    'select',
    { name },
    el('option', { value: '', text: 'Any' }),
    ...options.map((o) => {
      const [v, text] = typeof o === 'string' ? [o, o.replaceAll('_', ' ')] : o;
      return el('option', { value: v, text, selected: v === value });
    }),
  );
  return el('label', {}, label, select);
}

/** Newest or oldest first (the lists that page by cursor sort by creation). */
export function sortField(value: string | null): HTMLElement {
  return el(
    'label',
    {},
    'Sort',
    el(
      'select',
      { name: 'sort' },
      el('option', { value: '', text: 'Newest first' }),
      el('option', { value: 'oldest', text: 'Oldest first', selected: value === 'oldest' }),
    ),
  );
}

/** Cursor paging: the next page keeps the filters; the first page drops the cursor. */
export function pager(path: string, query: URLSearchParams, nextCursor: string | null | undefined): HTMLElement {
  const base = Object.fromEntries([...query].filter(([k]) => k !== 'cursor'));
  return el(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    query.get('cursor') ? link(hashWith(path, base), '← First page') : null,
    nextCursor ? link(hashWith(path, { ...base, cursor: nextCursor }), 'Next page →') : null,
  );
}

/** The pages of one section as chips (Settings' pages; Invoices, Orders, Payments), the current one marked. */
export function subNav(label: string, pages: readonly (readonly [string, string])[], current: string): HTMLElement {
  return el(
    'nav',
    { 'aria-label': label },
    el(
      'ul',
      { class: 'chips subnav' },
      ...pages.map(([href, title]) =>
        el('li', {}, link(href, title, href === current ? { 'aria-current': 'page' } : {})),
      ),
    ),
  );
}

/** A query parameter that must be one of `allowed` (a filter's choice); anything else is no filter. */
export function queryChoice<T extends string>(q: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const v = q.get(name);
  return v && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
}
