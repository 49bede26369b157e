import { performance } from 'node:perf_hooks';
import type { Agent } from 'undici';
import type { PanelCallContext, PanelResult } from '../panel/adapter.js';
import type { Logger } from '../platform/log.js';
import { type CallOutput, classify, panelError } from './classify.js';
import { exitCodeName } from './codes.js';
import { buildAgent, probeFingerprint, type TlsTrust, TlsUntrustedError } from './tls.js';
import { undici } from './undici.js';
import { ArgumentError, checkArgument, checkPassword } from './validate.js';

/**
 * One HestiaCP server's API, called the way docs/hestia-protocol.md §1–3 says: form-encoded POST to
 * `/api/` with only the arguments given, timeouts by kind of command, every call logged with its
 * correlation id and never a secret. The client never retries: retry policy belongs to the job
 * engine, and retrying an authentication failure would feed the panel's fail2ban.
 */
export type PanelCredentials =
  | { kind: 'access_key'; id: string; secret: string }
  | { kind: 'legacy_hash'; hash: string }
  | { kind: 'root_password'; user: string; password: string };

export interface HestiaClientOptions {
  /** The server's name in Portico, for logs. */
  name: string;
  host: string;
  port: number;
  credentials: PanelCredentials;
  tls: TlsTrust;
  rootUser?: string;
  logger: Logger;
  timeouts?: { connectMs?: number; listMs?: number; mutationMs?: number };
  /** Called after every call (for the panel_calls record and metrics). */
  onCall?: (record: PanelCallRecord) => void;
  /** A connection pool to share between clients of the same server (not closed by this client). */
  agent?: Agent;
}

export interface PanelCallRecord {
  correlationId: string;
  server: string;
  cmd: string;
  httpStatus: number | null;
  exitCode: number | null;
  code: string;
  durationMs: number;
}

/** Argument positions (0-based) that carry secrets, per command: redacted in logs and cURL. */
export const SECRET_ARGS: Record<string, number[]> = {
  'v-add-user': [1],
  'v-change-user-password': [1],
  'v-check-user-password': [1],
  'v-add-database': [3],
};

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function redactArgs(cmd: string, args: readonly string[]): string[] {
  const secret = SECRET_ARGS[cmd] ?? [];
  return args.map((a, i) => (secret.includes(i) ? '[REDACTED]' : a));
}

export function formBody(credentials: PanelCredentials, cmd: string, args: readonly string[]): URLSearchParams {
  const form = new URLSearchParams();
  if (credentials.kind === 'access_key') {
    form.set('access_key', credentials.id);
    form.set('secret_key', credentials.secret);
  } else if (credentials.kind === 'legacy_hash') {
    form.set('hash', credentials.hash);
  } else {
    form.set('user', credentials.user);
    form.set('password', credentials.password);
  }
  form.set('cmd', cmd);
  args.forEach((a, i) => {
    form.set(`arg${i + 1}`, a);
  });
  return form;
}

export class HestiaClient {
  readonly rootUser: string;
  private readonly agent: Agent;
  private readonly timeouts: { connectMs: number; listMs: number; mutationMs: number };

  constructor(private readonly options: HestiaClientOptions) {
    this.rootUser = options.rootUser ?? 'admin';
    this.timeouts = { connectMs: 10_000, listMs: 15_000, mutationMs: 120_000, ...options.timeouts };
    this.agent = options.agent ?? buildAgent({ trust: options.tls, connectTimeoutMs: this.timeouts.connectMs });
    if (options.tls.mode === 'insecure') {
      options.logger.warn(
        { server: options.name },
        'TLS verification is OFF for this panel (insecure mode): use only in a lab',
      );
    }
    if (options.credentials.kind !== 'access_key') {
      options.logger.warn(
        { server: options.name },
        'this panel uses legacy API credentials; create an access key (see README)',
      );
    }
  }

  get baseUrl(): string {
    return `https://${this.options.host}:${this.options.port}/api/`;
  }

  async call(ctx: PanelCallContext, cmd: string, args: readonly string[]): Promise<PanelResult<CallOutput>> {
    const started = performance.now();
    try {
      if (!/^[a-zA-Z0-9_-]+$/.test(cmd)) throw new ArgumentError(`command "${cmd}" is not a command name`);
      args.forEach((a, i) => {
        if (a === '')
          throw new ArgumentError(`argument ${i + 1} of ${cmd} is empty (never send an empty optional argument)`);
        if ((SECRET_ARGS[cmd] ?? []).includes(i)) checkPassword(a);
        else checkArgument(`argument ${i + 1} of ${cmd}`, a);
      });
    } catch (error) {
      if (!(error instanceof ArgumentError)) throw error;
      return this.finish(ctx, cmd, args, started, null, {
        ok: false,
        error: panelError('INVALID_ARGUMENT', error.message),
      });
    }
    const isList = cmd.startsWith('v-list-');
    const timeoutMs = isList ? this.timeouts.listMs : this.timeouts.mutationMs;
    try {
      const res = await undici().request(this.baseUrl, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json, text/plain' },
        body: formBody(this.options.credentials, cmd, args).toString(),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const body = await res.body.text();
      const header = res.headers['hestia-exit-code'];
      const result = classify(
        {
          status: res.statusCode,
          exitCodeHeader: Array.isArray(header) ? header[0] : header,
          contentType: String(res.headers['content-type'] ?? ''),
          body,
        },
        isList && args.at(-1) === 'json',
      );
      return this.finish(ctx, cmd, args, started, res.statusCode, result);
    } catch (error) {
      return this.finish(ctx, cmd, args, started, null, { ok: false, error: await this.transportError(error, cmd) });
    }
  }

  private async transportError(error: unknown, cmd: string) {
    const err = error as { code?: string; message?: string; cause?: { code?: string } };
    const code = err.code ?? err.cause?.code ?? '';
    if (error instanceof TlsUntrustedError || err.cause instanceof TlsUntrustedError) {
      const message = error instanceof TlsUntrustedError ? error.message : (err.cause as Error).message;
      return panelError('TLS_UNTRUSTED', `The panel's certificate is not trusted: ${message}.`);
    }
    if (TLS_CODES.has(code)) {
      const seen = await probeFingerprint(this.options.host, this.options.port);
      return panelError(
        'TLS_UNTRUSTED',
        `The panel's certificate is not trusted (${code}). Its SHA-256 fingerprint is ${seen ?? 'unknown'}; pin it (--tls pin:${seen ?? '<fingerprint>'}) or give its CA file.`,
      );
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return panelError(
        'TIMEOUT',
        `Could not connect to ${this.options.host}:${this.options.port} within ${this.timeouts.connectMs} ms.`,
      );
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return panelError(
        'TIMEOUT',
        `${cmd} got no answer in time; it may still have run on the panel — read the state back before retrying.`,
      );
    }
    return panelError(
      'TRANSPORT',
      `${cmd} failed in transit (${code || err.message}); it may have run — read the state back before retrying.`,
    );
  }

  private finish(
    ctx: PanelCallContext,
    cmd: string,
    args: readonly string[],
    started: number,
    httpStatus: number | null,
    result: PanelResult<CallOutput>,
  ): PanelResult<CallOutput> {
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const exitCode = result.ok ? result.value.exitCode : (result.error.exitCode ?? null);
    const code = result.ok ? 'OK' : result.error.code;
    const record = {
      correlationId: ctx.correlationId,
      server: this.options.name,
      cmd,
      httpStatus,
      exitCode,
      code,
      durationMs,
    };
    const line = {
      ...record,
      args: redactArgs(cmd, args),
      exitName: exitCode === null ? null : exitCodeName(exitCode),
    };
    if (result.ok) this.options.logger.info(line, 'panel call');
    else this.options.logger.warn({ ...line, error: result.error.message }, 'panel call failed');
    this.options.onCall?.(record);
    return result;
  }

  async close(): Promise<void> {
    if (!this.options.agent) await this.agent.close();
  }
}
