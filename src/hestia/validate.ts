import { ArgumentError, checkArgument } from '../panel/domains.js';

/**
 * Every argument is checked before it leaves the process (docs/hestia-protocol.md §4). The panel does not
 * validate passwords at all, and a newline in one is fed to chpasswd — where it changes ANOTHER
 * account's password — so these checks are a security boundary, not a convenience. The checks
 * any panel needs (control characters, domain names) live in src/panel/domains.ts.
 */
export { ArgumentError, checkArgument, normaliseDomain } from '../panel/domains.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkPassword(value: string): void {
  if (value === '') throw new ArgumentError('password is empty (the panel would read it from standard input)');
  if (CONTROL.test(value)) throw new ArgumentError('password contains a control character (newline, tab, NUL…)');
  if (value !== value.trim())
    throw new ArgumentError('password starts or ends with whitespace (the panel would trim it)');
  if (value.includes('\\')) throw new ArgumentError('password contains a backslash');
}

/** Portico's own panel usernames: `^[a-z][a-z0-9]{1,29}$`, not purely numeric, never the root user. */
export function checkUsername(value: string, rootUser: string): void {
  if (!/^[a-z][a-z0-9]{1,29}$/.test(value)) {
    throw new ArgumentError(`username "${value}" must be 2–30 lower-case letters and digits, starting with a letter`);
  }
  if (value === rootUser)
    throw new ArgumentError(`username "${value}" is the panel's administrator; Portico never acts on it`);
}

export function checkEmail(value: string): void {
  checkArgument('email', value);
  if (!/^[^\s@'"<>]+@[^\s@'"<>]+\.[^\s@'"<>]+$/.test(value) || value.length > 254) {
    throw new ArgumentError(`"${value}" is not an email address`);
  }
}

export function checkPackage(value: string): void {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(value))
    throw new ArgumentError(`package "${value}" has characters the panel refuses`);
}

export function checkDatabaseName(name: string, value: string): void {
  if (!/^[A-Za-z0-9_]{1,30}$/.test(value))
    throw new ArgumentError(`${name} "${value}" must be letters, digits and _ (at most 30)`);
}

/** Quotes and apostrophes are dropped inside a word (O'Brien → OBrien), not turned into a gap. */
const DROPPED = /['"`\u2018\u2019\u201a\u201b\u201c\u201d\u00b4]/gu;
/** Anything but letters, digits, spaces and . - _ : shell metacharacters, < >, controls, symbols. */
const NOT_NAME = /[^\p{L}\p{M}\p{N} ._-]+/gu;
const NAME_MAX = 64;

/**
 * A client's name as the panel's NAME (`v-add-user`'s fifth argument): the panel refuses quotes,
 * `<`, `>`, shell metacharacters and newlines with exit 2, so they are removed rather than let
 * an order fail over a name. Letters of any script are kept; what remains is trimmed, spaces
 * collapsed, and capped at 64 characters. Undefined when nothing is left: the argument is then
 * not sent at all (an empty argument is an argument to the panel).
 */
export function panelDisplayName(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const cleaned = raw.normalize('NFC').replace(DROPPED, '').replace(NOT_NAME, ' ').replace(/\s+/g, ' ').trim();
  const capped = Array.from(cleaned).slice(0, NAME_MAX).join('').trim();
  return capped === '' ? undefined : capped;
}
