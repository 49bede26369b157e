// Building pages: every value from the server is inserted as text (never as HTML).
import { ApiError } from './api.js';

type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;
type Child = Node | string | number | null | undefined | false | Child[];

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = String(v);
    else if (typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (v === true) node.setAttribute(k, '');
    else if (v !== false && v !== null && v !== undefined) node.setAttribute(k, String(v));
  }
  append(node, children);
  return node;
}

function append(node: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function $<T extends Element = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`The page has no ${selector}`);
  return found;
}

let toastTimer: number | undefined;
export function toast(message: string): void {
  const t = $('#toast');
  t.textContent = message;
  t.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => t.classList.remove('show'), 4000);
}

/** Hides the last message at once (a new page does not carry the previous page's message). */
export function clearToast(): void {
  clearTimeout(toastTimer);
  $('#toast').classList.remove('show');
}

/** Replaces the page's content and moves focus to it (so a screen reader reads the new page). */
export function show(title: string, ...nodes: Child[]): void {
  const main = $('#main');
  const focused = document.activeElement;
  main.replaceChildren();
  append(main, [el('h1', { text: title }), ...nodes]);
  const full = `${title} · Portico admin`;
  // A new page takes the focus (a screen reader reads it); the same page read again leaves it alone
  // unless the focused element went with the old content.
  if (document.title !== full || (focused instanceof HTMLElement && !focused.isConnected)) main.focus();
  document.title = full;
}

/** A dialog that asks before a destructive action; resolves with the reason typed, or null if cancelled. */
export function confirmAction(options: {
  title: string;
  message: string;
  confirm: string;
  reason?: 'optional' | 'required';
}): Promise<string | null> {
  return new Promise((resolve) => {
    const reason = options.reason
      ? el('input', { type: 'text', name: 'reason', maxlength: 500, required: options.reason === 'required' })
      : null;
    const form = el(
      'form',
      { method: 'dialog' },
      el('h2', { id: 'dialog-title', text: options.title }),
      el('p', { text: options.message }),
      reason ? el('label', {}, options.reason === 'required' ? 'Reason' : 'Reason (optional)', reason) : null,
      el(
        'div',
        { class: 'row end' },
        el('button', { type: 'button', value: 'cancel', class: 'secondary', text: 'Cancel' }),
        el('button', { type: 'submit', value: 'ok', class: 'danger', text: options.confirm }),
      ),
    );
    const dialog = el('dialog', { 'aria-labelledby': 'dialog-title' }, form);
    let answer: string | null = null;
    form.addEventListener('submit', () => {
      answer = reason ? reason.value : '';
    });
    form.querySelector('button[value="cancel"]')?.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    (reason ?? form.querySelector<HTMLButtonElement>('button[value="cancel"]'))?.focus();
  });
}

/** Minor units as money in the currency's own decimals (USD 2, JPY 0). */
export function money(amountMinor: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amountMinor / 10 ** digits);
  } catch {
    return `${(amountMinor / 100).toFixed(2)} ${currency}`;
  }
}

/** Amounts in several currencies, one per line ("—" when there are none). */
export function totals(items: { amount_minor: number; currency: string }[]): string {
  return items.length ? items.map((t) => money(t.amount_minor, t.currency)).join(' · ') : '—';
}

export function when(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').slice(0, 16) : '—';
}

export function badge(status: string): HTMLElement {
  return el('span', { class: `badge status-${status}`, text: status.replaceAll('_', ' ') });
}

/** A table with a caption for screen readers; `rows` are lists of cells. */
export function table(caption: string, headers: string[], rows: Child[][], attrs: Attrs = {}): HTMLElement {
  if (!rows.length) return el('p', { class: 'card muted', text: `No ${caption.toLowerCase()}.` });
  return scrollBox(
    caption,
    el(
      'table',
      attrs,
      el('caption', { class: 'visually-hidden', text: caption }),
      el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c) => el('td', {}, c))))),
    ),
  );
}

/** A box that scrolls sideways on a narrow screen; focusable, so it scrolls from the keyboard too. */
export function scrollBox(label: string, content: HTMLElement): HTMLElement {
  return el('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': label }, content);
}

/** Label/value pairs, as a definition list. */
export function facts(pairs: [string, Child][]): HTMLElement {
  return el('dl', { class: 'facts card' }, ...pairs.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]));
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The server's reason for a refusal, with each field it names (`amount_minor: must be …`). */
export function problemText(e: unknown): string {
  const text = errorText(e);
  // Only the fields the explanation does not already name.
  const fields = (e instanceof ApiError ? e.fields : [])
    .map((f) => ({ name: f.field.replace(/^body\./, ''), message: f.message }))
    .filter((f) => !text.includes(f.name))
    .map((f) => `${f.name}: ${f.message}`)
    .join('; ');
  return fields ? `${text} (${fields})` : text;
}

/** The decimals of a currency (USD 2, JPY 0); 2 for a code the browser does not know. */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** An amount typed in a currency (`12.50`) as minor units, or null when it is not a number. */
export function minorUnits(text: string, currency: string): number | null {
  const trimmed = text.trim();
  if (!/^-?[0-9]+([.][0-9]+)?$/.test(trimmed)) return null;
  return Math.round(Number(trimmed) * 10 ** currencyDigits(currency));
}

/** Minor units as a plain number to edit in a field (`12.50`). */
export function decimalText(amountMinor: number, currency: string): string {
  const digits = currencyDigits(currency);
  return (amountMinor / 10 ** digits).toFixed(digits);
}
