import { CommanderError } from 'commander';
import { CliUsageError } from './cli/input.js';
import { ConfigError, porticoVersion } from './config.js';
import { AppError } from './platform/http/errors.js';

/**
 * Errors a user can fix are printed as one line without a stack; anything else is a bug. The
 * modules of the errors that come with heavier code (jose, TypeBox) are imported only now: one
 * that threw is loaded already, so this costs nothing on success.
 */
async function explain(error: unknown): Promise<string | undefined> {
  if (error instanceof AppError) {
    const fields = error.options.errors?.map((e) => `${e.field} ${e.message}`).join('; ');
    return fields ? `${error.detail} (${fields})` : error.detail;
  }
  const [{ JwtKeyError }, { SecretBoxError }, { SettingError }] = await Promise.all([
    import('./auth/jwt-keys.js'),
    import('./platform/crypto/secretbox.js'),
    import('./settings/definitions.js'),
  ]);
  const fixable = [SettingError, ConfigError, JwtKeyError, CliUsageError, SecretBoxError];
  if (fixable.some((type) => error instanceof type)) return (error as Error).message;
  if (error instanceof Error && /^(No password given|Unknown setting|This install)/.test(error.message))
    return error.message;
  return undefined;
}

/**
 * Output piped into a reader that stops early (`portico routes list | head -1`) closes the pipe:
 * the reader has what it wanted, so stop quietly, as other command-line tools do, instead of
 * crashing on EPIPE with a stack trace.
 */
function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
}

export async function main(argv: string[]): Promise<void> {
  exitQuietlyOnClosedPipe();
  // `portico --version` needs only package.json; other commands load the commands' declarations
  // (src/cli/program.ts), and each command the modules it runs.
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    console.log(porticoVersion());
    return;
  }
  const { buildProgram } = await import('./cli/program.js');
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    const message = await explain(error);
    if (message) {
      console.error(`portico: ${message}`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
