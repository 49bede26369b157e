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
