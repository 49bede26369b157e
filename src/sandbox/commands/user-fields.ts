import { type Fields, hestiaDate } from '../format.js';
import type { SandboxState, SandboxUser } from '../state.js';
import { packageFields } from './packages.js';

/**
 * What `v-list-user` prints about an account: every field of the panel's user.conf, in its
 * order, the limits taken from the account's package and the usage counted from its objects.
 */
const count = (o: object) => String(Object.keys(o).length);

export function userFields(name: string, user: SandboxUser, state: SandboxState): Fields {
  const pkg = packageFields(state.packages[user.package]);
  const limit = (k: string) => pkg[k] ?? '0';
  const admin = user.role === 'admin';
  const suspendedCount = (o: object) => (user.suspended ? count(o) : '0');
  return {
    NAME: user.name,
    PACKAGE: user.package,
    WEB_TEMPLATE: 'default',
    BACKEND_TEMPLATE: 'default',
    PROXY_TEMPLATE: 'default',
    DNS_TEMPLATE: 'default',
    WEB_DOMAINS: limit('WEB_DOMAINS'),
    WEB_ALIASES: limit('WEB_ALIASES'),
    DNS_DOMAINS: limit('DNS_DOMAINS'),
    DNS_RECORDS: limit('DNS_RECORDS'),
    MAIL_DOMAINS: limit('MAIL_DOMAINS'),
    MAIL_ACCOUNTS: limit('MAIL_ACCOUNTS'),
    DATABASES: limit('DATABASES'),
    CRON_JOBS: limit('CRON_JOBS'),
    DISK_QUOTA: limit('DISK_QUOTA'),
    BANDWIDTH: limit('BANDWIDTH'),
    HOME: `/home/${name}`,
    NS: 'ns1.sandbox.portico.local,ns2.sandbox.portico.local',
    SHELL: 'nologin',
    BACKUPS: limit('BACKUPS'),
    CONTACT: user.email,
    CRON_REPORTS: 'yes',
    RKEY: user.rkey ?? '',
    TWOFA: '',
    QRCODE: '',
    ROLE: user.role,
    SUSPENDED: user.suspended ? 'yes' : 'no',
    SUSPENDED_USERS: admin ? String(Object.values(state.users).filter((u) => u.suspended).length) : '0',
    SUSPENDED_WEB: suspendedCount(user.web),
    SUSPENDED_DNS: suspendedCount(user.dns),
    SUSPENDED_MAIL: suspendedCount(user.mail),
    SUSPENDED_DB: suspendedCount(user.databases),
    SUSPENDED_CRON: '0',
    IP_AVAIL: admin ? '1' : '0',
    IP_OWNED: admin ? '1' : '0',
    U_USERS: admin ? count(state.users) : '0',
    U_DISK: String(Object.keys(user.web).length * 3 + Object.keys(user.databases).length),
    U_DISK_DIRS: '0',
    U_DISK_WEB: String(Object.keys(user.web).length * 3),
    U_DISK_MAIL: '0',
    U_DISK_DB: count(user.databases),
    U_BANDWIDTH: '0',
    U_WEB_DOMAINS: count(user.web),
    U_WEB_SSL: '0',
    U_WEB_ALIASES: count(user.web),
    U_DNS_DOMAINS: count(user.dns),
    U_DNS_RECORDS: String(Object.keys(user.dns).length * 16),
    U_MAIL_DOMAINS: count(user.mail),
    U_MAIL_DKIM: count(user.mail),
    U_MAIL_ACCOUNTS: '0',
    U_DATABASES: count(user.databases),
    U_CRON_JOBS: '0',
    U_BACKUPS: '0',
    BACKUPS_INCREMENTAL: 'no',
    LANGUAGE: '',
    THEME: '',
    NOTIFICATIONS: 'no',
    PREF_UI_SORT: 'name',
    LOGIN_DISABLED: 'no',
    LOGIN_USE_IPLIST: 'no',
    LOGIN_ALLOW_IPS: '',
    PHPCLI: '',
    ...hestiaDate(user.createdAtMs),
  };
}
