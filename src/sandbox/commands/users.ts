import { renderList } from '../format.js';
import { randomString } from '../state.js';
import {
  activeUser,
  type CommandDef,
  EMAIL_FORMAT,
  existingUser,
  fail,
  invalid,
  isResult,
  NEW_USER_FORMAT,
  OBJECT_FORMAT,
  ok,
  PAM_REFUSED,
  pamRefuses,
  userFormatError,
} from './shared.js';
import { userFields } from './user-fields.js';

/** User accounts: add, delete, suspend, change, check and list. */
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
/** Accounts every Debian panel has in /etc/passwd: `v-add-user` answers that they exist. */
const SYSTEM_ACCOUNTS = new Set([
  'root',
  'daemon',
  'bin',
  'sys',
  'sync',
  'games',
  'man',
  'lp',
  'mail',
  'news',
  'uucp',
  'proxy',
  'www-data',
  'backup',
  'list',
  'irc',
  'nobody',
  'messagebus',
  'sshd',
  'bind',
  'dovecot',
  'hestiaweb',
  'hestiamail',
]);

/** Quotes, angle brackets and shell metacharacters: the panel refuses them all with one message. */
const NAME_REFUSED = /['"<>|`$;&\\]/;

const USER_SHELL = ['PACKAGE', 'WEB_DOMAINS', 'DNS_DOMAINS', 'MAIL_DOMAINS', 'DATABASES', 'SUSPENDED', 'DATE'];

/** v-add-user's checks in the panel's order; the account is only made once all pass. */
function addUser(args: string[], ctx: Parameters<CommandDef['run']>[1]) {
  const [name = '', password = '', email = ''] = args;
  const pkg = args.length >= 4 ? (args[3] ?? '') : 'default';
  // The last name is appended to the first, as the panel keeps one NAME.
  const fullName = args[5] ? `${args[4] ?? ''} ${args[5]}` : (args[4] ?? '');
  if (!NEW_USER_FORMAT.test(name)) return invalid('user', name);
  if (!EMAIL_FORMAT.test(email)) return invalid('email', email);
  if (pkg !== '' && !OBJECT_FORMAT.test(pkg)) return invalid('package', pkg);
  if (fullName !== '') {
    if (NAME_REFUSED.test(fullName)) return fail(2, `Invalid name contains qoutes (" or ') :: ${fullName}`);
    if (fullName.includes('\n')) return fail(2, `invalid value :: ${fullName}`);
  }
  if (RESERVED.includes(name.toLowerCase())) {
    return fail(
      2,
      `The user name '${name}' is reserved and cannot be used. List of reserved names: ${RESERVED.join(' ')}`,
    );
  }
  if (ctx.state.users[name] || SYSTEM_ACCOUNTS.has(name)) return fail(4, `user ${name} exists`);
  if (!ctx.state.packages[pkg]) return fail(3, `package ${pkg} doesn't exist`);
  // chpasswd runs after the account is made; the panel deletes it again when PAM refuses.
  if (pamRefuses(password)) return PAM_REFUSED;
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
    rkey: randomString(16),
    createdAtMs: ctx.nowMs,
  };
  return ok();
}

export const USER_COMMANDS: Record<string, CommandDef> = {
  'v-add-user': {
    minArgs: 3,
    usage: 'Usage: v-add-user USER PASSWORD EMAIL [PACKAGE] [NAME]',
    mutates: true,
    run: addUser,
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
    usage: 'Usage: v-unsuspend-user USER',
    mutates: true,
    run: (args, ctx) => {
      const name = args[0] ?? '';
      const user = existingUser(ctx, name);
      if (isResult(user)) return user;
      if (name !== ctx.state.rootUser) user.suspended = false;
      return ok();
    },
  },
  'v-change-user-package': {
    minArgs: 2,
    usage: 'Usage: v-change-user-package USER PACKAGE [FORCE]',
    mutates: true,
    run: (args, ctx) => {
      const [name = '', pkgName = '', force] = args;
      const badUser = userFormatError(name);
      if (badUser) return badUser;
      if (pkgName !== '' && !OBJECT_FORMAT.test(pkgName)) return invalid('package', pkgName);
      const user = existingUser(ctx, name);
      if (isResult(user)) return user;
      const pkg = ctx.state.packages[pkgName];
      if (!pkg) return fail(3, `package ${pkgName} doesn't exist`);
      const covers = (limit: string, used: number) => limit === 'unlimited' || Number(limit) >= used;
      if (force !== 'yes') {
        if (!covers(pkg.WEB_DOMAINS, Object.keys(user.web).length))
          return fail(8, "Package doesn't cover WEB_DOMAIN usage");
        if (!covers(pkg.DNS_DOMAINS, Object.keys(user.dns).length))
          return fail(8, "Package doesn't cover DNS_DOMAIN usage");
        if (!covers(pkg.MAIL_DOMAINS, Object.keys(user.mail).length))
          return fail(8, "Package doesn't cover MAIL_DOMAIN usage");
        if (!covers(pkg.DATABASES, Object.keys(user.databases).length))
          return fail(8, "Package doesn't cover DATABASE usage");
      }
      user.package = pkgName;
      // The package is changed, then changing the shell of a suspended user fails: exit 0 anyway.
      return ok(user.suspended ? `Error: user ${name} is suspended` : '');
    },
  },
  'v-change-user-password': {
    minArgs: 1,
    usage: 'Usage: v-change-user-password USER [PASSWORD]',
    mutates: true,
    run: (args, ctx) => {
      const user = activeUser(ctx, args[0] ?? '');
      if (isResult(user)) return user;
      // No password: the panel reads one from its empty stdin and chpasswd refuses the blank.
      const password = args[1] ?? '';
      if (password === '' || pamRefuses(password)) return PAM_REFUSED;
      user.password = password;
      user.rkey = randomString(16);
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
      const name = args[0] ?? '';
      const user = existingUser(ctx, name);
      if (isResult(user) && user.code !== 3) return user;
      // An unknown user, an empty password, a suspended account: all the same mismatch.
      if (isResult(user) || user.suspended || !args[1] || user.password !== args[1])
        return fail(9, 'password missmatch');
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
      const items = { [name]: userFields(name, user, ctx.state) };
      return ok(renderList(items, args[1], { key: 'USER', shell: USER_SHELL, closeIndent: '        ' }));
    },
  },
  'v-list-users': {
    minArgs: 0,
    usage: 'Usage: v-list-users [FORMAT]',
    mutates: false,
    run: (args, ctx) => {
      const items = Object.fromEntries(
        Object.entries(ctx.state.users).map(([n, u]) => [n, userFields(n, u, ctx.state)]),
      );
      return ok(renderList(items, args[0], { key: 'USER', shell: USER_SHELL }));
    },
  },
};
