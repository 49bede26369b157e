// Portico admin area: a client of the Admin API. The hash names the page (`#/clients/cli_…`);
// each page module fetches what it shows and renders it with dom.ts.
import { call, type Permission, session } from './api.js';
import { $, clearToast, el, errorText, show, toast } from './dom.js';
import { catalogPage, productPage } from './pages/catalog.js';
import { clientPage, clientsPage } from './pages/clients.js';
import { dashboardPage } from './pages/dashboard.js';
import { invoicePage, invoicesPage } from './pages/invoices.js';
import { loginPage } from './pages/login.js';
import { auditPage, jobsPage } from './pages/operations.js';
import { ordersPage, paymentsPage } from './pages/orders.js';
import { forgotPasswordPage } from './pages/password-reset.js';
import { serverPage, serversPage } from './pages/servers.js';
import { servicePage, servicesPage } from './pages/services.js';
import {
  billingSettingsPage,
  brandingSettingsPage,
  emailSettingsPage,
  paymentSettingsPage,
  templatePage,
} from './pages/settings.js';
import { staffPage } from './pages/staff.js';
import { twoFactorPage } from './pages/two-factor.js';
import { logEntryPage, logsPage, routesPage, settingsPage } from './pages/userapi.js';

type Page = (match: string[], query: URLSearchParams) => Promise<void> | void;
interface PageRoute {
  pattern: RegExp;
  /** Which navigation link is the current one. */
  section: string;
  page: Page;
}

const PAGES: PageRoute[] = [
  { pattern: /^\/clients\/([^/]+)$/, section: 'clients', page: ([id], q) => clientPage(id ?? '', q) },
  { pattern: /^\/clients$/, section: 'clients', page: (_m, q) => clientsPage(q) },
  { pattern: /^\/services\/([^/]+)$/, section: 'services', page: ([id]) => servicePage(id ?? '') },
  { pattern: /^\/services$/, section: 'services', page: (_m, q) => servicesPage(q) },
  { pattern: /^\/invoices\/([^/]+)$/, section: 'invoices', page: ([id]) => invoicePage(id ?? '') },
  { pattern: /^\/invoices$/, section: 'invoices', page: (_m, q) => invoicesPage(q) },
  { pattern: /^\/orders$/, section: 'invoices', page: (_m, q) => ordersPage(q) },
  { pattern: /^\/payments$/, section: 'invoices', page: (_m, q) => paymentsPage(q) },
  { pattern: /^\/catalog$/, section: 'catalog', page: () => catalogPage() },
  { pattern: /^\/catalog\/products\/([^/]+)$/, section: 'catalog', page: ([id]) => productPage(id ?? '') },
  { pattern: /^\/servers$/, section: 'servers', page: () => serversPage() },
  {
    pattern: /^\/servers\/([^/]+)$/,
    section: 'servers',
    page: ([name]) => serverPage(decodeURIComponent(name ?? '')),
  },
  { pattern: /^\/jobs$/, section: 'servers', page: (_m, q) => jobsPage(q) },
  { pattern: /^\/audit$/, section: 'audit', page: (_m, q) => auditPage(q) },
  { pattern: /^\/staff$/, section: 'staff', page: () => staffPage() },
  // The Settings section: the business first, the User API's own settings last.
  { pattern: /^\/settings(?:\/billing)?$/, section: 'settings', page: () => billingSettingsPage() },
  { pattern: /^\/settings\/payments$/, section: 'settings', page: () => paymentSettingsPage() },
  { pattern: /^\/settings\/email$/, section: 'settings', page: () => emailSettingsPage() },
  {
    pattern: /^\/settings\/email\/templates\/([^/]+)$/,
    section: 'settings',
    page: ([name]) => templatePage(name ?? ''),
  },
  { pattern: /^\/settings\/branding$/, section: 'settings', page: () => brandingSettingsPage() },
  { pattern: /^\/settings\/userapi$/, section: 'settings', page: () => settingsPage() },
  { pattern: /^\/routes$/, section: 'routes', page: () => routesPage() },
  { pattern: /^\/logs\/([^/]+)$/, section: 'logs', page: ([id]) => logEntryPage(id ?? '') },
  { pattern: /^\/logs$/, section: 'logs', page: (_m, q) => logsPage(q) },
  { pattern: /^\/two-factor$/, section: 'two-factor', page: (_m, q) => twoFactorPage(q.get('next') ?? '#/') },
];
const HOME: PageRoute = { pattern: /^\/?$/, section: 'dashboard', page: () => dashboardPage() };

function setNav(section: string | null): void {
  $('#nav').hidden = !session.loggedIn;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('#nav a')) {
    // A section the role may not open is left out (the server would answer 403 anyway).
    const needs = a.dataset.permission as Permission | undefined;
    a.hidden = needs !== undefined && !session.may(needs);
    if (section !== null && a.dataset.section === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function route(): Promise<void> {
  const [path = '', queryString = ''] = location.hash.replace(/^#/, '').split('?');
  try {
    if (path === '/login') {
      setNav(null);
      const q = new URLSearchParams(queryString);
      return loginPage(q.get('next') ?? '#/', q.get('reset') === 'done');
    }
    // Before logging in: a forgotten password is reset without a session.
    if (path === '/forgot-password') {
      setNav(null);
      return forgotPasswordPage();
    }
    if (!session.loggedIn) {
      const s = await call('GET', '/session');
      session.set(s.csrf_token, s);
      // A role that logs in with a second factor sets it up before anything else.
      if (s.totp_enrolment_required && path !== '/two-factor') {
        location.hash = `#/two-factor?next=${encodeURIComponent(location.hash || '#/')}`;
        return;
      }
    }
    const found =
      PAGES.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m) ??
      ({ r: HOME, m: HOME.pattern.exec('/') } as const);
    setNav(found.r.section);
    await found.r.page(found.m ? found.m.slice(1) : [], new URLSearchParams(queryString));
  } catch (e) {
    if (!session.loggedIn) return;
    show('Something went wrong', el('p', { class: 'error', role: 'alert', text: errorText(e) }));
  }
}

session.onLoggedOut(() => {
  setNav(null);
  // Back to the page asked for once logged in.
  if (!location.hash.startsWith('#/login')) location.hash = `#/login?next=${encodeURIComponent(location.hash || '#/')}`;
  else loginPage('#/');
});
$('#logout').addEventListener('click', async () => {
  try {
    await call('DELETE', '/session');
  } catch (e) {
    toast(errorText(e));
  } finally {
    session.set(null);
    location.hash = '#/login';
  }
});
window.addEventListener('hashchange', () => {
  clearToast();
  void route();
});
void route();
