import { domainToASCII } from 'node:url';
import { collection, type Fields, hestiaDate } from './format.js';
import type { SandboxState, SandboxUser } from './state.js';

/**
 * The HestiaCP commands Portico uses (HESTIA.md §4), with each command's checks in the panel's
 * order — the first failing check decides the exit code and message.
 */
export interface CommandResult {
  code: number;
  output: string;
}

export interface CommandContext {
  state: SandboxState;
  nowMs: number;
}

type SystemSwitch = 'WEB_SYSTEM' | 'DNS_SYSTEM' | 'MAIL_SYSTEM' | 'DB_SYSTEM';

interface CommandDef {
  minArgs: number;
  /** The system the command needs; checked before anything else, even the argument count. */
  system?: SystemSwitch;
  usage: string;
  /** Mutating commands persist the state afterwards. */
  mutates: boolean;
  run(args: string[], ctx: CommandContext): CommandResult;
}

const ok = (output = ''): CommandResult => ({ code: 0, output });
const fail = (code: number, message: string): CommandResult => ({ code, output: `Error: ${message}` });
const invalid = (arg: string, value: string) => fail(2, `invalid ${arg} format :: ${value}`);

const USER_FORMAT = /^[A-Za-z][A-Za-z0-9._|-]{0,28}[A-Za-z0-9]$/;
const EMAIL_FORMAT = /^[^\s@'"<>]+@[^\s@'"<>]+\.[^\s@'"<>]+$/;
const PACKAGE_FORMAT = /^[A-Za-z0-9._-]{1,64}$/;
const DB_FORMAT = /^[A-Za-z0-9_]{1,60}$/;
const RESERVED = [
  'aria',
  'aria_log',
  'mysql',
  'mysql_upgrade',
  'ib',
  'ib_buffer',
  'ddl',
  'ddl_recovery',
  'performance',
  'sudo',
];
const DOMAIN_FORMAT = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+(xn--[a-z0-9-]{1,59}|[a-z]{2,63})$/;

/** Lower-cases, strips `www.`, converts IDN to punycode — as the panel does; '' when invalid. */
export function normaliseDomain(raw: string): string {
  const lower = raw.toLowerCase().replace(/^www\./, '');
  const ascii = domainToASCII(lower);
  return DOMAIN_FORMAT.test(ascii) ? ascii : '';
}

function existingUser(ctx: CommandContext, name: string): SandboxUser | CommandResult {
  if (!USER_FORMAT.test(name)) return invalid('user', name);
  const user = ctx.state.users[name];
  return user ?? fail(3, `user ${name} doesn't exist`);
}

function activeUser(ctx: CommandContext, name: string): SandboxUser | CommandResult {
  const user = existingUser(ctx, name);
  if ('code' in user) return user;
  return user.suspended ? fail(5, `user ${name} is suspended`) : user;
}

const isResult = (v: unknown): v is CommandResult => typeof v === 'object' && v !== null && 'code' in v;

function limitReached(limit: string | undefined, used: number): boolean {
  return limit !== undefined && limit !== 'unlimited' && used >= Number(limit);
}

function userFields(name: string, user: SandboxUser, state: SandboxState): Fields {
  const pkg = state.packages[user.package];
  return {
    NAME: user.name,
    PACKAGE: user.package,
    WEB_DOMAINS: pkg?.WEB_DOMAINS ?? '0',
    DNS_DOMAINS: pkg?.DNS_DOMAINS ?? '0',
    MAIL_DOMAINS: pkg?.MAIL_DOMAINS ?? '0',
    DATABASES: pkg?.DATABASES ?? '0',
    DISK_QUOTA: pkg?.DISK_QUOTA ?? '0',
    BANDWIDTH: pkg?.BANDWIDTH ?? '0',
    HOME: `/home/${name}`,
    SHELL: 'nologin',
    CONTACT: user.email,
    ROLE: user.role,
    SUSPENDED: user.suspended ? 'yes' : 'no',
    U_DISK: String(Object.keys(user.web).length * 3 + Object.keys(user.databases).length),
    U_BANDWIDTH: '0',
    U_WEB_DOMAINS: String(Object.keys(user.web).length),
    U_DNS_DOMAINS: String(Object.keys(user.dns).length),
    U_MAIL_DOMAINS: String(Object.keys(user.mail).length),
    U_DATABASES: String(Object.keys(user.databases).length),
    ...hestiaDate(user.createdAtMs),
  };
}

function domainTaken(state: SandboxState, kind: 'web' | 'dns' | 'mail', domain: string): boolean {
  return Object.values(state.users).some((u) => domain in u[kind]);
}

type DomainKind = 'web' | 'dns' | 'mail';
const LIMIT_KEY: Record<DomainKind, 'WEB_DOMAINS' | 'DNS_DOMAINS' | 'MAIL_DOMAINS'> = {
  web: 'WEB_DOMAINS',
  dns: 'DNS_DOMAINS',
  mail: 'MAIL_DOMAINS',
};
const LABEL: Record<DomainKind, string> = { web: 'Web domain', dns: 'DNS domain', mail: 'Mail domain' };

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

function listDomains(kind: DomainKind) {
  return (args: string[], ctx: CommandContext): CommandResult => {
    const user = existingUser(ctx, args[0] ?? '');
    if (isResult(user)) return user;
    const items: Record<string, Fields> = {};
    for (const [domain, data] of Object.entries(user[kind])) {
      const base = { SUSPENDED: user.suspended ? 'yes' : 'no', ...hestiaDate(user.createdAtMs) };
      if (kind === 'web') {
        const web = data as { ip: string; aliases: string };
        items[domain] = {
          IP: web.ip,
          IP6: '',
          DOCUMENT_ROOT: `/home/${args[0]}/web/${domain}/public_html/`,
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
      } else if (kind === 'dns') {
        items[domain] = {
          IP: (data as { ip: string }).ip,
          TPL: 'default',
          TTL: '14400',
          EXP: '2027-01-01',
          SOA: 'ns1.sandbox.portico.local',
          SERIAL: '2026010101',
          DNSSEC: 'no',
          RECORDS: '16',
          ...base,
        };
      } else {
        items[domain] = {
          ANTIVIRUS: 'no',
          ANTISPAM: 'no',
          DKIM: 'yes',
          CATCHALL: '',
          ACCOUNTS: '0',
          U_DISK: '0',
          ...base,
        };
      }
    }
    return ok(collection(items));
  };
}

export const COMMANDS: Record<string, CommandDef> = {
  'v-add-user': {
    minArgs: 3,
    usage: 'Usage: v-add-user USER PASSWORD EMAIL [PACKAGE] [NAME]',
    mutates: true,
    run: (args, ctx) => {
      const [name = '', password = '', email = '', pkg = 'default', fullName = ''] = args;
      if (!USER_FORMAT.test(name)) return invalid('user', name);
      if (!EMAIL_FORMAT.test(email)) return invalid('email', email);
      if (!PACKAGE_FORMAT.test(pkg)) return invalid('package', pkg);
      if (/['"<>]/.test(fullName)) return invalid('name', fullName);
      if (RESERVED.includes(name.toLowerCase())) return invalid('user', name);
      if (ctx.state.users[name]) return fail(4, `user ${name} exists`);
      if (!ctx.state.packages[pkg]) return fail(3, `package ${pkg} doesn't exist`);
      ctx.state.users[name] = {
        password,
        email,
        package: pkg,
        name: fullName,
        suspended: false,
        role: 'user',
        web: {},
        dns: {},
        mail: {},
        databases: {},
        createdAtMs: ctx.nowMs,
      };
      return ok();
    },
  },
  'v-delete-user': {
    minArgs: 1,
    usage: 'Usage: v-delete-user USER [RESTART]',
    mutates: true,
    run: (args, ctx) => {
      const name = args[0] ?? '';
      const user = existingUser(ctx, name);
      if (isResult(user)) return user;
      if (name === ctx.state.rootUser) return ok(); // the panel silently refuses to delete its admin
      delete ctx.state.users[name];
      return ok();
    },
  },
  'v-suspend-user': {
    minArgs: 1,
    usage: 'Usage: v-suspend-user USER [RESTART]',
    mutates: true,
    run: (args, ctx) => {
      const name = args[0] ?? '';
      const user = existingUser(ctx, name);
      if (isResult(user)) return user;
      if (name === ctx.state.rootUser) return ok();
      if (user.suspended) return fail(5, `user ${name} is suspended`);
      user.suspended = true;
      return ok();
    },
  },
  'v-unsuspend-user': {
    minArgs: 1,
    usage: 'Usage: v-unsuspend-user USER [RESTART]',
    mutates: true,
    run: (args, ctx) => {
      const user = ctx.state.users[args[0] ?? ''];
      if (user) user.suspended = false;
      return ok();
    },
  },
  'v-change-user-package': {
    minArgs: 2,
    usage: 'Usage: v-change-user-package USER PACKAGE [FORCE]',
    mutates: true,
    run: (args, ctx) => {
      const [name = '', pkgName = '', force] = args;
      const user = existingUser(ctx, name);
      if (isResult(user)) return user;
      if (!PACKAGE_FORMAT.test(pkgName)) return invalid('package', pkgName);
      const pkg = ctx.state.packages[pkgName];
      if (!pkg) return fail(3, `package ${pkgName} doesn't exist`);
      const over = (['web', 'dns', 'mail'] as const).some(
        (k) => pkg[LIMIT_KEY[k]] !== 'unlimited' && Object.keys(user[k]).length > Number(pkg[LIMIT_KEY[k]]),
      );
      if (over && force !== 'yes')
        return fail(8, `Package limits exceeded; use FORCE=yes to change to ${pkgName} anyway`);
      user.package = pkgName;
      return ok();
    },
  },
  'v-change-user-password': {
    minArgs: 2,
    usage: 'Usage: v-change-user-password USER PASSWORD',
    mutates: true,
    run: (args, ctx) => {
      const user = activeUser(ctx, args[0] ?? '');
      if (isResult(user)) return user;
      user.password = args[1] ?? '';
      return ok();
    },
  },
  'v-change-user-contact': {
    minArgs: 2,
    usage: 'Usage: v-change-user-contact USER EMAIL',
    mutates: true,
    run: (args, ctx) => {
      const [name = '', email = ''] = args;
      if (!EMAIL_FORMAT.test(email)) return invalid('email', email);
      const user = activeUser(ctx, name);
      if (isResult(user)) return user;
      user.email = email;
      return ok();
    },
  },
  'v-check-user-password': {
    minArgs: 2,
    usage: 'Usage: v-check-user-password USER PASSWORD',
    mutates: false,
    run: (args, ctx) => {
      const user = existingUser(ctx, args[0] ?? '');
      if (isResult(user)) return user;
      if (user.suspended || user.password !== args[1]) return fail(9, 'password missmatch');
      return ok();
    },
  },
  'v-list-user': {
    minArgs: 1,
    usage: 'Usage: v-list-user USER [FORMAT]',
    mutates: false,
    run: (args, ctx) => {
      const name = args[0] ?? '';
      const user = existingUser(ctx, name);
      if (isResult(user)) return user;
      return ok(collection({ [name]: userFields(name, user, ctx.state) }));
    },
  },
  'v-list-users': {
    minArgs: 0,
    usage: 'Usage: v-list-users [FORMAT]',
    mutates: false,
    run: (_args, ctx) =>
      ok(
        collection(
          Object.fromEntries(Object.entries(ctx.state.users).map(([n, u]) => [n, userFields(n, u, ctx.state)])),
        ),
      ),
  },
  'v-list-user-packages': {
    minArgs: 0,
    usage: 'Usage: v-list-user-packages [FORMAT]',
    mutates: false,
    run: (_args, ctx) => ok(collection(packageFields(ctx))),
  },
  'v-list-user-package': {
    minArgs: 1,
    usage: 'Usage: v-list-user-package PACKAGE [FORMAT]',
    mutates: false,
    run: (args, ctx) => {
      const name = args[0] ?? '';
      const all = packageFields(ctx);
      return all[name] ? ok(collection({ [name]: all[name] })) : fail(3, `package ${name} doesn't exist`);
    },
  },
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
  'v-add-database': {
    system: 'DB_SYSTEM',
    minArgs: 4,
    usage: 'Usage: v-add-database USER DATABASE DBUSER DBPASS [TYPE] [HOST] [CHARSET]',
    mutates: true,
    run: (args, ctx) => {
      const [name = '', db = '', dbUser = '', , type = 'mysql'] = args;
      if (!DB_FORMAT.test(db)) return invalid('database', db);
      if (!DB_FORMAT.test(dbUser)) return invalid('dbuser', dbUser);
      const user = activeUser(ctx, name);
      if (isResult(user)) return user;
      const full = `${name}_${db}`;
      if (full.length >= 64) return invalid('database', full);
      if (`${name}_${dbUser}`.length > 32) return invalid('dbuser', `${name}_${dbUser}`);
      if (full in user.databases) return fail(4, `database ${full} exists`);
      if (limitReached(ctx.state.packages[user.package]?.DATABASES, Object.keys(user.databases).length)) {
        return fail(8, 'DATABASES limit is reached :: upgrade user package');
      }
      user.databases[full] = { dbUser: `${name}_${dbUser}`, type };
      return ok();
    },
  },
  'v-delete-database': {
    system: 'DB_SYSTEM',
    minArgs: 2,
    usage: 'Usage: v-delete-database USER DATABASE',
    mutates: true,
    run: (args, ctx) => {
      const user = existingUser(ctx, args[0] ?? '');
      if (isResult(user)) return user;
      const db = args[1] ?? '';
      if (!(db in user.databases)) return fail(3, `database ${db} doesn't exist`);
      delete user.databases[db];
      return ok();
    },
  },
  'v-list-databases': {
    minArgs: 1,
    usage: 'Usage: v-list-databases USER [FORMAT]',
    mutates: false,
    run: (args, ctx) => {
      const user = existingUser(ctx, args[0] ?? '');
      if (isResult(user)) return user;
      const items: Record<string, Fields> = {};
      for (const [db, d] of Object.entries(user.databases)) {
        items[db] = {
          DATABASE: db,
          DBUSER: d.dbUser,
          HOST: 'localhost',
          TYPE: d.type,
          CHARSET: 'utf8mb4',
          U_DISK: '0',
          SUSPENDED: user.suspended ? 'yes' : 'no',
          ...hestiaDate(user.createdAtMs),
        };
      }
      return ok(collection(items));
    },
  },
  'v-list-sys-info': {
    minArgs: 0,
    usage: 'Usage: v-list-sys-info [FORMAT]',
    mutates: false,
    run: () =>
      ok(
        collection({
          sysinfo: {
            HOSTNAME: 'sandbox.portico.local',
            OS: 'Debian',
            VERSION: '12',
            ARCH: 'x86_64',
            HESTIA: '1.10.3',
            RELEASE: 'release',
            UPTIME: '1',
            LOADAVERAGE: '0.01 / 0.02 / 0.00',
          },
        }),
      ),
  },
  'v-list-sys-config': {
    minArgs: 0,
    usage: 'Usage: v-list-sys-config [FORMAT]',
    mutates: false,
    run: (_args, ctx) => {
      const s = ctx.state.switches;
      return ok(
        collection({
          config: {
            API: s.API,
            API_SYSTEM: String(s.API_SYSTEM),
            API_ALLOWED_IP: s.API_ALLOWED_IP,
            WEB_SYSTEM: s.WEB_SYSTEM,
            DNS_SYSTEM: s.DNS_SYSTEM,
            MAIL_SYSTEM: s.MAIL_SYSTEM,
            DB_SYSTEM: s.DB_SYSTEM,
            ROOT_USER: ctx.state.rootUser,
          },
        }),
      );
    },
  },
};

function packageFields(ctx: CommandContext): Record<string, Fields> {
  const out: Record<string, Fields> = {};
  for (const [name, p] of Object.entries(ctx.state.packages)) {
    out[name] = {
      WEB_TEMPLATE: 'default',
      PROXY_TEMPLATE: 'default',
      DNS_TEMPLATE: 'default',
      ...p,
      NS: 'ns1.sandbox.portico.local,ns2.sandbox.portico.local',
      SHELL: 'nologin',
      BACKUPS: '1',
      ...hestiaDate(0),
    };
  }
  return out;
}

/** As the panel reads its config: a system is off when its value is empty or `no`. */
export const systemEnabled = (value: string) => value !== '' && value !== 'no';

export function runCommand(cmd: string, args: string[], ctx: CommandContext): CommandResult {
  const def = COMMANDS[cmd];
  if (!def) return fail(10, `Command ${cmd} not found`);
  if (def.system && !systemEnabled(ctx.state.switches[def.system])) return fail(11, `${def.system} is not enabled`);
  if (args.length < def.minArgs) return { code: 1, output: def.usage };
  return def.run(args, ctx);
}
