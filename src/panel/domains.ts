import { domainToASCII } from 'node:url';

/**
 * What a panel accepts as a domain or an argument, checked before anything is queued or sent:
 * orders and client routes normalise a domain here the way the panel will store it, and the
 * HestiaCP client refuses control characters in every argument through the same check.
 */
export class ArgumentError extends Error {
  override name = 'ArgumentError';
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Any argument: no control characters, no backslash (the panel's JSON output cannot escape it). */
export function checkArgument(name: string, value: string): void {
  if (CONTROL.test(value)) throw new ArgumentError(`${name} contains a control character (newline, tab, NUL…)`);
  if (value.includes('\\')) throw new ArgumentError(`${name} contains a backslash`);
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A domain as the panel will store it: lower-case, IDN converted to punycode. A leading `www.`
 * is refused rather than silently stripped, so what Portico records is what the panel creates.
 */
export function normaliseDomain(value: string): string {
  checkArgument('domain', value);
  const ascii = domainToASCII(value.trim().toLowerCase());
  const labels = ascii.split('.');
  if (
    !ascii ||
    ascii.length > 253 ||
    labels.length < 2 ||
    !labels.every((l) => LABEL.test(l)) ||
    /^\d+$/.test(labels.at(-1)!)
  ) {
    throw new ArgumentError(`"${value}" is not a domain name`);
  }
  if (labels[0] === 'www')
    throw new ArgumentError(`"${value}": give the domain without "www." (the panel adds www as an alias)`);
  return ascii;
}
