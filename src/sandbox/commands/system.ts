import { renderList } from '../format.js';
import { type CommandDef, ok } from './shared.js';

/** The panel's own facts: version and the switches Portico and its operator care about. */
export const SYSTEM_COMMANDS: Record<string, CommandDef> = {
  'v-list-sys-info': {
    minArgs: 0,
    usage: 'Usage: v-list-sys-info [FORMAT]',
    mutates: false,
    run: (args) =>
      ok(
        renderList(
          {
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
          },
          args[0],
          { key: 'SYSINFO' },
        ),
      ),
  },
  'v-list-sys-config': {
    minArgs: 0,
    usage: 'Usage: v-list-sys-config [FORMAT]',
    mutates: false,
    run: (args, ctx) => {
      const s = ctx.state.switches;
      const config = {
        API: s.API,
        API_SYSTEM: String(s.API_SYSTEM),
        API_ALLOWED_IP: s.API_ALLOWED_IP,
        WEB_SYSTEM: s.WEB_SYSTEM,
        DNS_SYSTEM: s.DNS_SYSTEM,
        MAIL_SYSTEM: s.MAIL_SYSTEM,
        DB_SYSTEM: s.DB_SYSTEM,
        ROOT_USER: ctx.state.rootUser,
      };
      return ok(renderList({ config }, args[0], { key: 'CONFIG' }));
    },
  },
};
