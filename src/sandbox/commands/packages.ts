import { type Fields, hestiaDate, renderList } from '../format.js';
import type { PackageLimits } from '../state.js';
import { type CommandDef, fail, ok } from './shared.js';

/**
 * Hosting packages. The panel lists every field of a package in a fixed order, and lists the
 * packages newest first (`ls --sort=time`): the ones an operator added before the shipped
 * `system` and `default`.
 */
const DEFAULTS: Fields = {
  WEB_TEMPLATE: 'default',
  PROXY_TEMPLATE: 'default',
  DNS_TEMPLATE: 'default',
  WEB_DOMAINS: '1',
  WEB_ALIASES: 'unlimited',
  DNS_DOMAINS: '1',
  DNS_RECORDS: 'unlimited',
  MAIL_DOMAINS: '1',
  MAIL_ACCOUNTS: 'unlimited',
  DATABASES: '1',
  CRON_JOBS: 'unlimited',
  DISK_QUOTA: 'unlimited',
  CPU_QUOTA: 'unlimited',
  CPU_QUOTA_PERIOD: 'unlimited',
  MEMORY_LIMIT: 'unlimited',
  SWAP_LIMIT: 'unlimited',
  BANDWIDTH: 'unlimited',
  NS: 'ns1.sandbox.portico.local,ns2.sandbox.portico.local',
  SHELL: 'nologin',
  BACKUPS: '1',
};
const SHIPPED_AT_MS = Date.UTC(2019, 0, 15, 18);

/** Every field of a package, in the panel's order (missing limits take the shipped defaults). */
export function packageFields(limits: PackageLimits | undefined, index = 0): Fields {
  const out: Fields = {};
  for (const key of Object.keys(DEFAULTS)) out[key] = (limits as Fields | undefined)?.[key] ?? DEFAULTS[key]!;
  return { ...out, ...hestiaDate(SHIPPED_AT_MS + index * 60_000) };
}

function listed(packages: Record<string, PackageLimits>): Record<string, Fields> {
  const entries = Object.entries(packages).map(([name, p], i) => [name, packageFields(p, i)] as const);
  return Object.fromEntries(entries.reverse());
}

const SHELL = [
  'WEB_TEMPLATE',
  'WEB_DOMAINS',
  'DNS_DOMAINS',
  'MAIL_DOMAINS',
  'DATABASES',
  'SHELL',
  'DISK_QUOTA',
  'BANDWIDTH',
];

export const PACKAGE_COMMANDS: Record<string, CommandDef> = {
  'v-list-user-packages': {
    minArgs: 0,
    usage: 'Usage: v-list-user-packages [FORMAT]',
    mutates: false,
    run: (args, ctx) => ok(renderList(listed(ctx.state.packages), args[0], { key: 'PKG', shell: SHELL })),
  },
  'v-list-user-package': {
    minArgs: 1,
    usage: 'Usage: v-list-user-package PACKAGE [FORMAT]',
    mutates: false,
    run: (args, ctx) => {
      const name = args[0] ?? '';
      const pkg = listed(ctx.state.packages)[name];
      if (!pkg) return fail(3, `package ${name} doesn't exist`);
      return ok(renderList({ [name]: pkg }, args[1], { key: 'PACKAGE', shell: SHELL }));
    },
  },
};
