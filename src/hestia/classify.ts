import type { PanelError, PanelErrorCode, PanelResult } from '../panel/adapter.js';
import {
  AUTH_EXIT_CODES,
  disabledSystemOf,
  EXIT_CODE_NAMES,
  exitCodeName,
  isApiDisabled,
  PANEL_SYSTEMS,
  RETRYABLE_EXIT_CODES,
} from './codes.js';

/**
 * Turns the panel's answer into a result, exactly per docs/hestia-protocol.md §3: the HTTP status and the
 * `Hestia-Exit-Code` header decide — never pattern-matching `OK` or a 2xx body.
 */
export interface RawAnswer {
  status: number;
  exitCodeHeader: string | undefined;
  contentType: string | undefined;
  body: string;
}

export interface CallOutput {
  status: number;
  exitCode: number;
  body: string;
  /** Parsed JSON for list commands; `{}` for the panel's empty collection `{\n}`. */
  json: unknown;
}

export function panelError(code: PanelErrorCode, message: string, exitCode?: number): PanelError {
  const missingSystem = disabledSystemOf(exitCode, message);
  return {
    code,
    message: missingSystem
      ? `${message} (this server does not run a ${PANEL_SYSTEMS[missingSystem]} system, so the step cannot succeed here)`
      : message,
    ...(exitCode !== undefined ? { exitCode } : {}),
    retryable:
      code === 'TRANSPORT' ||
      code === 'TIMEOUT' ||
      code === 'SERVER_ERROR' ||
      (exitCode !== undefined && RETRYABLE_EXIT_CODES.has(exitCode)),
    authFailure:
      exitCode !== undefined && AUTH_EXIT_CODES.has(exitCode) && (exitCode !== 11 || isApiDisabled(exitCode, message)),
    ...(missingSystem ? { missingSystem } : {}),
  };
}

/**
 * The panel builds JSON by concatenation, so a backslash in a value breaks it. Try strictly,
 * then with lone backslashes escaped; give up (undefined) rather than guess further.
 */
export function parseLenientJson(body: string): unknown {
  const text = body.trim();
  if (text === '' || text === '{\n}' || text === '{}') return text === '' ? undefined : {};
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(text.replace(/\\(?!["\\/bfnrtu])/g, '\\\\'));
    } catch {
      return undefined;
    }
  }
}

const looksLikeHtml = (a: RawAnswer) => /^\s*<(!doctype|html)/i.test(a.body);

export function classify(answer: RawAnswer, expectJson: boolean): PanelResult<CallOutput> {
  const { status, body } = answer;
  if (status >= 500 || (looksLikeHtml(answer) && status !== 200)) {
    return {
      ok: false,
      error: panelError(
        'SERVER_ERROR',
        `The panel answered HTTP ${status} with an error page instead of an API answer; it may have run the command — reconcile before retrying.`,
      ),
    };
  }
  const header = answer.exitCodeHeader;
  const exitCode = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
  if (status === 204)
    return { ok: true, value: { status, exitCode: exitCode ?? 0, body: '', json: expectJson ? {} : undefined } };
  if (status === 200 && (exitCode === 0 || exitCode === undefined)) {
    const json = expectJson ? parseLenientJson(body) : undefined;
    if (expectJson && json === undefined) {
      return {
        ok: false,
        error: panelError('BAD_RESPONSE', `The panel's answer is not JSON the client can read: ${body.slice(0, 200)}`),
      };
    }
    const warning = body.trimStart().startsWith('Error:') ? body.trim() : undefined;
    return { ok: true, value: { status, exitCode: 0, body, json }, ...(warning ? { warning } : {}) };
  }
  if (exitCode !== undefined && exitCode !== 0) {
    const name = EXIT_CODE_NAMES[exitCode] ?? 'BAD_RESPONSE';
    return {
      ok: false,
      error: panelError(name, body.trim() || `exit code ${exitCode} (${exitCodeName(exitCode)})`, exitCode),
    };
  }
  return {
    ok: false,
    error: panelError('BAD_RESPONSE', `Unexpected answer from the panel: HTTP ${status}, ${body.slice(0, 200)}`),
  };
}
