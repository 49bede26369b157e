import { type Fields, hestiaDate, renderList } from '../format.js';
import {
  activeUser,
  type CommandDef,
  existingUser,
  fail,
  invalid,
  isResult,
  limitReached,
  listOwner,
  ok,
} from './shared.js';

/** Databases: names are prefixed with the owner (`<user>_<db>`), as the panel does. */
const DB_FORMAT = /^[A-Za-z0-9_]{1,60}$/;
const SHELL = ['DBUSER', 'HOST', 'TYPE', 'U_DISK', 'SUSPENDED', 'DATE'];

export const DATABASE_COMMANDS: Record<string, CommandDef> = {
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
      const user = listOwner(ctx, args[0] ?? '');
      if (isResult(user)) return user;
      const items: Record<string, Fields> = {};
      for (const [db, d] of Object.entries(user?.databases ?? {})) {
        items[db] = {
          DATABASE: db,
          DBUSER: d.dbUser,
          HOST: 'localhost',
          TYPE: d.type,
          CHARSET: 'utf8mb4',
          U_DISK: '0',
          SUSPENDED: user!.suspended ? 'yes' : 'no',
          ...hestiaDate(user!.createdAtMs),
        };
      }
      return ok(renderList(items, args[1], { key: 'DATABASE', shell: SHELL }));
    },
  },
};
