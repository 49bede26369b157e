import { type Fields, hestiaDate, renderList } from '../format.js';
import type { SandboxState, SandboxUser } from '../state.js';
import {
  activeUser,
  type CommandContext,
  type CommandDef,
  type CommandResult,
  existingUser,
  fail,
  invalid,
  isResult,
  limitReached,
  listOwner,
  normaliseDomain,
  ok,
} from './shared.js';

/** Web, DNS and mail domains: the same add / delete / list shape over three systems. */
type DomainKind = 'web' | 'dns' | 'mail';

const LIMIT_KEY: Record<DomainKind, 'WEB_DOMAINS' | 'DNS_DOMAINS' | 'MAIL_DOMAINS'> = {
  web: 'WEB_DOMAINS',
  dns: 'DNS_DOMAINS',
  mail: 'MAIL_DOMAINS',
};
const LABEL: Record<DomainKind, string> = { web: 'Web domain', dns: 'DNS domain', mail: 'Mail domain' };
const SHELL: Record<DomainKind, string[]> = {
  web: ['IP', 'TPL', 'SSL', 'U_DISK', 'U_BANDWIDTH', 'SUSPENDED', 'DATE'],
  dns: ['IP', 'TPL', 'TTL', 'DNSSEC', 'EXP', 'SUSPENDED', 'DATE'],
  mail: ['ANTIVIRUS', 'ANTISPAM', 'DKIM', 'ACCOUNTS', 'U_DISK', 'SUSPENDED', 'DATE'],
};

function domainTaken(state: SandboxState, kind: DomainKind, domain: string): boolean {
  return Object.values(state.users).some((u) => domain in u[kind]);
}

function addDomain(kind: DomainKind) {
  return (args: string[], ctx: CommandContext): CommandResult => {
    const [userName = '', rawDomain = '', ip] = args;
    const domain = normaliseDomain(rawDomain);
    if (!domain) return invalid('domain', rawDomain);
    if (kind === 'dns' && ip !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return invalid('ip', ip);
    const user = activeUser(ctx, userName);
    if (isResult(user)) return user;
    const pkg = ctx.state.packages[user.package];
    if (limitReached(pkg?.[LIMIT_KEY[kind]], Object.keys(user[kind]).length)) {
      return fail(8, `${LIMIT_KEY[kind]} limit is reached :: upgrade user package`);
    }
    if (domainTaken(ctx.state, kind, domain)) return fail(4, `${LABEL[kind]} ${domain} exists`);
    if (kind === 'web') user.web[domain] = { ip: ip ?? ctx.state.ip, aliases: `www.${domain}` };
    else if (kind === 'dns') user.dns[domain] = { ip: ip ?? ctx.state.ip };
    else user.mail[domain] = {};
    return ok();
  };
}

function deleteDomain(kind: DomainKind) {
  return (args: string[], ctx: CommandContext): CommandResult => {
    const [userName = '', rawDomain = ''] = args;
    const domain = normaliseDomain(rawDomain);
    if (!domain) return invalid('domain', rawDomain);
    const user = existingUser(ctx, userName);
    if (isResult(user)) return user;
    if (!(domain in user[kind])) return fail(3, `${LABEL[kind].toLowerCase()} ${domain} doesn't exist`);
    delete user[kind][domain];
    return ok();
  };
}

function domainFields(kind: DomainKind, owner: string, user: SandboxUser, domain: string): Fields {
  const base = { SUSPENDED: user.suspended ? 'yes' : 'no', ...hestiaDate(user.createdAtMs) };
  if (kind === 'web') {
    const web = user.web[domain]!;
    return {
      IP: web.ip,
      IP6: '',
      DOCUMENT_ROOT: `/home/${owner}/web/${domain}/public_html/`,
      U_DISK: '1',
      U_BANDWIDTH: '0',
      TPL: 'default',
      ALIAS: web.aliases,
      SSL: 'no',
      LETSENCRYPT: 'no',
      BACKEND: 'default',
      PROXY: 'default',
      ...base,
    };
  }
  if (kind === 'dns') {
    return {
      IP: user.dns[domain]!.ip,
      TPL: 'default',
      TTL: '14400',
      EXP: '2027-01-01',
      SOA: 'ns1.sandbox.portico.local',
      SERIAL: '2026010101',
      DNSSEC: 'no',
      RECORDS: '16',
      ...base,
    };
  }
  return { ANTIVIRUS: 'no', ANTISPAM: 'no', DKIM: 'yes', CATCHALL: '', ACCOUNTS: '0', U_DISK: '0', ...base };
}

function listDomains(kind: DomainKind) {
  return (args: string[], ctx: CommandContext): CommandResult => {
    const owner = args[0] ?? '';
    const user = listOwner(ctx, owner);
    if (isResult(user)) return user;
    const items: Record<string, Fields> = {};
    for (const domain of Object.keys(user?.[kind] ?? {})) items[domain] = domainFields(kind, owner, user!, domain);
    return ok(renderList(items, args[1], { key: 'DOMAIN', shell: SHELL[kind] }));
  };
}

export const DOMAIN_COMMANDS: Record<string, CommandDef> = {
  'v-add-web-domain': {
    system: 'WEB_SYSTEM',
    minArgs: 2,
    usage: 'Usage: v-add-web-domain USER DOMAIN [IP] [RESTART] [ALIASES] [PROXY_EXTENSIONS]',
    mutates: true,
    run: addDomain('web'),
  },
  'v-delete-web-domain': {
    system: 'WEB_SYSTEM',
    minArgs: 2,
    usage: 'Usage: v-delete-web-domain USER DOMAIN [RESTART]',
    mutates: true,
    run: deleteDomain('web'),
  },
  'v-list-web-domains': {
    minArgs: 1,
    usage: 'Usage: v-list-web-domains USER [FORMAT]',
    mutates: false,
    run: listDomains('web'),
  },
  'v-add-dns-domain': {
    system: 'DNS_SYSTEM',
    minArgs: 3,
    usage: 'Usage: v-add-dns-domain USER DOMAIN IP [NS1] [NS2] [NS3] [NS4] [NS5] [NS6] [NS7] [NS8] [RESTART]',
    mutates: true,
    run: addDomain('dns'),
  },
  'v-delete-dns-domain': {
    system: 'DNS_SYSTEM',
    minArgs: 2,
    usage: 'Usage: v-delete-dns-domain USER DOMAIN [RESTART]',
    mutates: true,
    run: deleteDomain('dns'),
  },
  'v-list-dns-domains': {
    minArgs: 1,
    usage: 'Usage: v-list-dns-domains USER [FORMAT]',
    mutates: false,
    run: listDomains('dns'),
  },
  'v-add-mail-domain': {
    system: 'MAIL_SYSTEM',
    minArgs: 2,
    usage: 'Usage: v-add-mail-domain USER DOMAIN [ANTISPAM] [ANTIVIRUS] [DKIM] [DKIM_SIZE] [RESTART] [REJECT_SPAM]',
    mutates: true,
    run: addDomain('mail'),
  },
  'v-delete-mail-domain': {
    system: 'MAIL_SYSTEM',
    minArgs: 2,
    usage: 'Usage: v-delete-mail-domain USER DOMAIN',
    mutates: true,
    run: deleteDomain('mail'),
  },
  'v-list-mail-domains': {
    minArgs: 1,
    usage: 'Usage: v-list-mail-domains USER [FORMAT]',
    mutates: false,
    run: listDomains('mail'),
  },
};
