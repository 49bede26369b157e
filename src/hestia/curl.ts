import { formBody, type PanelCredentials, SECRET_ARGS } from './client.js';

/**
 * The equivalent cURL command of one panel call, for `portico hestia call --print-curl`: secrets
 * (secret key, hash, password, password arguments) replaced by [REDACTED], so it can be pasted
 * into a ticket.
 */
export function printCurl(options: {
  url: string;
  credentials: PanelCredentials;
  cmd: string;
  args: string[];
  caFile?: string;
}): string {
  const form = formBody(options.credentials, options.cmd, options.args);
  for (const key of ['secret_key', 'hash', 'password']) if (form.has(key)) form.set(key, '[REDACTED]');
  for (const i of SECRET_ARGS[options.cmd] ?? []) if (form.has(`arg${i + 1}`)) form.set(`arg${i + 1}`, '[REDACTED]');
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const parts = ['curl', '-sS', '-i', ...(options.caFile ? ['--cacert', quote(options.caFile)] : [])];
  for (const [k, v] of form) parts.push('--data-urlencode', quote(`${k}=${v}`));
  parts.push(quote(options.url));
  return parts.join(' ');
}
