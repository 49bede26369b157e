import type { PanelErrorCode } from '../panel/adapter.js';

/** HestiaCP exit codes (func/main.sh) and how Portico treats them (HESTIA.md §3). */
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

export function exitCodeName(code: number): PanelErrorCode | 'OK' {
  return code === 0 ? 'OK' : (EXIT_CODE_NAMES[code] ?? 'BAD_RESPONSE');
}
