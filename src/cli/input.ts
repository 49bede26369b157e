/** A command used wrongly (a bad flag value, a missing input): printed as one line, exit 1. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

/** Reads a secret from standard input (one line, for `--password-stdin` and pipes). */
export async function readStdinLine(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new Error(
      'No password given: pass --password, or pipe it in (e.g. `printf %s "$PW" | portico … --password-stdin`).',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** What was typed after the Enter that ended the previous prompt (a paste of several lines). */
let typedAhead = '';

/**
 * Asks for a secret at the terminal without echoing it (standard input must be a TTY): Enter ends
 * it, Backspace deletes, Ctrl+C or Ctrl+D on an empty line cancels. The prompt goes to standard
 * error, so standard output stays the command's result.
 */
export async function promptSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  // Echo off before the prompt shows: what is typed once it is visible never appears.
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  stdin.setEncoding('utf8');
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      const chars = [...chunk];
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i]!;
        if (ch === '\r' || ch === '\n') {
          typedAhead = chars.slice(i + 1).join('');
          if (ch === '\r' && typedAhead.startsWith('\n')) typedAhead = typedAhead.slice(1);
          return finish();
        }
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) {
          typedAhead = '';
          return finish(new Error('No password given (cancelled).'));
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
    if (typedAhead) {
      const ahead = typedAhead;
      typedAhead = '';
      onData(ahead);
    }
  });
}

/** --password, else standard input: typed at a terminal (asked twice, not echoed) or piped in. */
export async function passwordFrom(opts: { password?: string; passwordStdin?: boolean }): Promise<string> {
  if (opts.password !== undefined) return opts.password;
  if (!process.stdin.isTTY) return readStdinLine();
  const password = await promptSecret('Password: ');
  if ((await promptSecret('Password again: ')) !== password)
    throw new CliUsageError('The two passwords differ; run the command again.');
  return password;
}

/** `--enabled <bool>`: true or false, in the words operators type. */
export function parseEnabled(raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  if (['true', 'on', 'yes', '1'].includes(raw)) return true;
  if (['false', 'off', 'no', '0'].includes(raw)) return false;
  throw new CliUsageError('--enabled takes true or false.');
}
