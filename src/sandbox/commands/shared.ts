import { domainToASCII } from 'node:url';
import type { SandboxState, SandboxUser } from '../state.js';

/**
 * What every command family shares: the command shape, results, and the panel's format checks
 * (func/main.sh), each with the message the panel prints.
 */
export interface CommandResult {
  code: number;
  output: string;
}

export interface CommandContext {
  state: SandboxState;
  nowMs: number;
}

export type SystemSwitch = 'WEB_SYSTEM' | 'DNS_SYSTEM' | 'MAIL_SYSTEM' | 'DB_SYSTEM';

export interface CommandDef {
  minArgs: number;
  /** The system the command needs; checked before anything else, even the argument count. */
  system?: SystemSwitch;
  usage: string;
  /** Mutating commands persist the state afterwards. */
  mutates: boolean;
  run(args: string[], ctx: CommandContext): CommandResult;
}

export const ok = (output = ''): CommandResult => ({ code: 0, output });
export const fail = (code: number, message: string): CommandResult => ({ code, output: `Error: ${message}` });
export const invalid = (arg: string, value: string) => fail(2, `invalid ${arg} format :: ${value}`);
export const isResult = (v: unknown): v is CommandResult => typeof v === 'object' && v !== null && 'code' in v;

/** An existing user's name: one alphanumeric, or alphanumerics with `-._|` inside, ASCII only. */
const USER_FORMAT = /^([A-Za-z0-9]|[A-Za-z0-9][-._|A-Za-z0-9]{0,28}[A-Za-z0-9])$/;
/** A new user's name is stricter: a letter first, no dot. */
export const NEW_USER_FORMAT = /^[A-Za-z][-_|A-Za-z0-9]{0,28}[A-Za-z0-9]$/;
export const EMAIL_FORMAT = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.([A-Za-z]{2,63}|xn--[A-Za-z0-9]{2,63})$/;
/** Packages, templates, hosts: alphanumerics with `-._|` inside. */
export const OBJECT_FORMAT = /^[A-Za-z0-9][-._|A-Za-z0-9]{0,64}[A-Za-z0-9]$/;

const DOMAIN_FORMAT = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+(xn--[a-z0-9-]{1,59}|[a-z]{2,63})$/;

/** Lower-cases, strips `www.`, converts IDN to punycode — as the panel does; '' when invalid. */
export function normaliseDomain(raw: string): string {
  const lower = raw.toLowerCase().replace(/^www\./, '');
  const ascii = domainToASCII(lower);
  return DOMAIN_FORMAT.test(ascii) ? ascii : '';
}

export const PAM_REFUSED = fail(2, 'Password not accepted due to PAM restrictions');
/**
 * pam_unix refuses passwords over 512 bytes; chpasswd reads a line feed inside one as the start
 * of a second line and fails.
 */
export const pamRefuses = (password: string) => password.includes('\n') || Buffer.byteLength(password) > 512;

export const userFormatError = (name: string) => (USER_FORMAT.test(name) ? undefined : invalid('user', name));

export function existingUser(ctx: CommandContext, name: string): SandboxUser | CommandResult {
  if (!USER_FORMAT.test(name)) return invalid('user', name);
  const user = ctx.state.users[name];
  return user ?? fail(3, `user ${name} doesn't exist`);
}

export function activeUser(ctx: CommandContext, name: string): SandboxUser | CommandResult {
  const user = existingUser(ctx, name);
  if (isResult(user)) return user;
  return user.suspended ? fail(5, `user ${name} is suspended`) : user;
}

/**
 * The owner of a list: an empty user argument passes the panel's checks (its data directory
 * is the users' directory itself) and lists nothing.
 */
export function listOwner(ctx: CommandContext, name: string): SandboxUser | null | CommandResult {
  return name === '' ? null : existingUser(ctx, name);
}

export function limitReached(limit: string | undefined, used: number): boolean {
  return limit !== undefined && limit !== 'unlimited' && used >= Number(limit);
}
