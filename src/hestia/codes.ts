import type { PanelErrorCode } from '../panel/adapter.js';

/** HestiaCP exit codes (func/main.sh) and how Portico treats them (docs/hestia-protocol.md §3). */
export const EXIT_CODE_NAMES: Record<number, PanelErrorCode> = {
  1: 'E_ARGS',
  2: 'E_INVALID',
  3: 'E_NOTEXIST',
  4: 'E_EXISTS',
  5: 'E_SUSPENDED',
  6: 'E_UNSUSPENDED',
  7: 'E_INUSE',
  8: 'E_LIMIT',
  9: 'E_PASSWORD',
  10: 'E_FORBIDEN',
  11: 'E_DISABLED',
  12: 'E_PARSING',
  13: 'E_DISK',
  14: 'E_LA',
  15: 'E_CONNECT',
  16: 'E_FTP',
  17: 'E_DB',
  18: 'E_RRD',
  19: 'E_UPDATE',
  20: 'E_RESTART',
  21: 'E_API_DISABLED',
};

/** Worth retrying with backoff: disk full, load too high, connect/DB failures, restart failed. */
export const RETRYABLE_EXIT_CODES = new Set([13, 14, 15, 17, 20]);
/** Never retry: wrong key, forbidden, disabled — each retry feeds the panel's fail2ban. */
export const AUTH_EXIT_CODES = new Set([9, 10, 11, 21]);

/** The systems a panel may run; a command needing one the server lacks exits 11 naming it. */
export const PANEL_SYSTEMS = {
  WEB_SYSTEM: 'web',
  DNS_SYSTEM: 'DNS',
  MAIL_SYSTEM: 'mail',
  DB_SYSTEM: 'database',
} as const;
export type PanelSystem = keyof typeof PANEL_SYSTEMS;

/**
 * Exit 11 (E_DISABLED) has two meanings. Before authentication it says the API is off — our
 * access is refused, so stop calling the server. After it, a command says the server does not
 * run a system it needs (`Error: WEB_SYSTEM is not enabled`) or a feature is off: the step
 * cannot succeed here, but the credentials are fine. Only the message tells them apart.
 */
export function disabledSystemOf(exitCode: number | undefined, message: string): PanelSystem | undefined {
  if (exitCode !== 11) return undefined;
  const match = /\b(WEB|DNS|MAIL|DB)_SYSTEM is not enabled\b/.exec(message);
  return match ? (`${match[1]}_SYSTEM` as PanelSystem) : undefined;
}

/** An 11 that refuses our access: the API is off, or the body gives no reason (assume the worst). */
export function isApiDisabled(exitCode: number | undefined, message: string): boolean {
  if (exitCode !== 11) return false;
  return /\bAPI\b/i.test(message) || !/^Error: \S/.test(message.trim());
}

export function exitCodeName(code: number): PanelErrorCode | 'OK' {
  return code === 0 ? 'OK' : (EXIT_CODE_NAMES[code] ?? 'BAD_RESPONSE');
}
