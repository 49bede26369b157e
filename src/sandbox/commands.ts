import { DATABASE_COMMANDS } from './commands/databases.js';
import { DOMAIN_COMMANDS } from './commands/domains.js';
import { PACKAGE_COMMANDS } from './commands/packages.js';
import { type CommandContext, type CommandDef, type CommandResult, fail } from './commands/shared.js';
import { SYSTEM_COMMANDS } from './commands/system.js';
import { USER_COMMANDS } from './commands/users.js';

/**
 * The HestiaCP commands Portico uses, one file per family under commands/, with
 * each command's checks in the panel's order — the first failing check decides the exit code
 * and message. Here: the registry, and the checks every command shares.
 */
export type { CommandContext, CommandResult } from './commands/shared.js';
export { normaliseDomain } from './commands/shared.js';

export const COMMANDS: Record<string, CommandDef> = {
  ...USER_COMMANDS,
  ...PACKAGE_COMMANDS,
  ...DOMAIN_COMMANDS,
  ...DATABASE_COMMANDS,
  ...SYSTEM_COMMANDS,
};

/** As the panel reads its config: a system is off when its value is empty or `no`. */
export const systemEnabled = (value: string) => value !== '' && value !== 'no';

export function runCommand(cmd: string, args: string[], ctx: CommandContext): CommandResult {
  const def = COMMANDS[cmd];
  if (!def) return fail(10, `Command ${cmd} not found`);
  if (def.system && !systemEnabled(ctx.state.switches[def.system])) return fail(11, `${def.system} is not enabled`);
  if (args.length < def.minArgs) return { code: 1, output: def.usage };
  return def.run(args, ctx);
}
