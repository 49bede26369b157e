import { isIP, Socket } from 'node:net';
import { type PeerCertificate, connect as tlsConnect } from 'node:tls';
import { tlsOf } from '../servers.js';
import type { ServerRow } from '../store.js';

/**
 * The checks of `portico server check` made before any API call: whether the port answers, and
 * whether the panel's certificate is the one the server is configured to trust.
 */

/** One verdict of `server check`, with what to do when it failed. */
export interface CheckResult {
  check: string;
  ok: boolean;
  detail: string;
  /** What the operator should do, when the check failed. */
  fix?: string;
}

/** Milliseconds to open a TCP connection to the panel's port. */
export function tcp(host: string, port: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = new Socket();
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('error', reject);
    socket.connect(port, host, () => {
      socket.destroy();
      resolve(Date.now() - started);
    });
  });
}

interface Handshake {
  cert: PeerCertificate;
  /** Whether the chain (system CAs, or the given CA) and the host name check out. */
  authorized: boolean;
  authorizationError: string | undefined;
}

function handshake(host: string, port: number, caPem?: string): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port,
      rejectUnauthorized: false,
      ...(caPem ? { ca: caPem } : {}),
      ...(isIP(host) ? {} : { servername: host }),
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.once('secureConnect', () => {
      const error = socket.authorizationError as unknown;
      resolve({
        cert: socket.getPeerCertificate(),
        authorized: socket.authorized,
        authorizationError:
          error === undefined || error === null ? undefined : String((error as Error).message ?? error),
      });
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

export async function tlsCheck(row: ServerRow): Promise<CheckResult> {
  const trust = tlsOf(row);
  try {
    const { cert, authorized, authorizationError } = await handshake(
      row.host,
      row.port,
      trust.mode === 'ca' ? trust.caPem : undefined,
    );
    const daysLeft = Math.floor((Date.parse(cert.valid_to) - Date.now()) / 86_400_000);
    const expiry = `valid until ${cert.valid_to} (${daysLeft} days)`;
    const pinFix = `Pin the panel's certificate instead: portico server update ${row.name} --tls pin:${cert.fingerprint256}`;
    if (daysLeft < 0) {
      return {
        check: 'TLS',
        ok: false,
        detail: `certificate expired ${-daysLeft} days ago`,
        fix: 'Renew the panel certificate (v-add-letsencrypt-host).',
      };
    }
    if (trust.mode === 'pin') {
      const ok = cert.fingerprint256 === trust.sha256;
      return ok
        ? { check: 'TLS', ok, detail: `certificate matches the pinned fingerprint; ${expiry}` }
        : {
            check: 'TLS',
            ok,
            detail: `certificate ${cert.fingerprint256} does not match the pin ${trust.sha256}`,
            fix: `If the panel's certificate was replaced on purpose, pin the new one: portico server update ${row.name} --tls pin:${cert.fingerprint256}`,
          };
    }
    if (trust.mode === 'insecure') {
      return {
        check: 'TLS',
        ok: true,
        detail: `NOT VERIFIED (insecure mode, labs only); ${expiry}; fingerprint ${cert.fingerprint256}`,
      };
    }
    if (!authorized) {
      return {
        check: 'TLS',
        ok: false,
        detail: `certificate not trusted: ${authorizationError ?? 'unknown reason'}`,
        fix: pinFix,
      };
    }
    return {
      check: 'TLS',
      ok: true,
      detail: `${trust.mode === 'ca' ? 'issued by the configured CA' : 'trusted by the system CAs'}; ${expiry}`,
    };
  } catch (error) {
    return {
      check: 'TLS',
      ok: false,
      detail: (error as Error).message,
      fix: 'The panel port does not speak TLS: check the port (BACKEND_PORT, 8083 by default).',
    };
  }
}
