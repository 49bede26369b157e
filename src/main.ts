import { Command, CommanderError } from 'commander';
import { JwtKeyError } from './auth/jwt-keys.js';
import { registerCoreCommands } from './cli/commands.js';
import { registerJobCommands } from './cli/jobs.js';
import { registerRouteCommands } from './cli/routes.js';
import { serve } from './cli/serve.js';
import { CliUsageError, registerServerCommands } from './cli/servers.js';
import { ConfigError, loadConfig } from './config.js';
import { SecretBoxError } from './platform/crypto/secretbox.js';
import { AppError } from './platform/http/errors.js';
import { SettingError } from './settings/definitions.js';

/** The `portico` command line: every operator task is a subcommand. */
export function buildProgram(): Command {
  const program = new Command('portico')
    .description('Portico — hosting billing for HestiaCP: User API, admin area and provisioning.')
    .showHelpAfterError()
    .exitOverride();
  program
    .command('serve')
    .description('Start the User API, docs and worker (SQLite + sandbox panel when nothing is configured)')
    .action(async () => {
      await serve(loadConfig());
    });
  registerCoreCommands(program);
  registerServerCommands(program);
  registerJobCommands(program);
  registerRouteCommands(program);
  return program;
}

/** Errors a user can fix are printed as one line without a stack; anything else is a bug. */
function explain(error: unknown): string | undefined {
  if (error instanceof AppError) {
    const fields = error.options.errors?.map((e) => `${e.field} ${e.message}`).join('; ');
    return fields ? `${error.detail} (${fields})` : error.detail;
  }
  const fixable = [SettingError, ConfigError, JwtKeyError, CliUsageError, SecretBoxError];
  if (fixable.some((type) => error instanceof type)) return (error as Error).message;
  if (error instanceof Error && /^(No password given|Unknown setting|This install)/.test(error.message))
    return error.message;
  return undefined;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    const message = explain(error);
    if (message) {
      console.error(`portico: ${message}`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
