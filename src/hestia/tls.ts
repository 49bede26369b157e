import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate, type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { Agent } from 'undici';
import { undici } from './undici.js';

/**
 * How Portico trusts a panel's certificate. A fresh HestiaCP has a self-signed certificate, so
 * besides the system CAs an operator can give the panel's CA file or pin its SHA-256 fingerprint.
 * `insecure` exists for labs only and is logged every time a client is built with it.
 */
export type TlsTrust =
  | { mode: 'system' }
  | { mode: 'ca'; caPem: string }
  | { mode: 'pin'; sha256: string }
  | { mode: 'insecure' };

export class TlsUntrustedError extends Error {
  override name = 'TlsUntrustedError';
}

/** `AB:CD:…` or `abcd…` in any case → `AB:CD:…`. */
export function normaliseFingerprint(value: string): string {
  const hex = value.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  if (hex.length !== 64) throw new Error(`"${value}" is not a SHA-256 fingerprint (64 hex digits, colons optional)`);
  return hex.match(/../g)!.join(':');
}

export function buildAgent(options: { trust: TlsTrust; connectTimeoutMs: number }): Agent {
  const { trust, connectTimeoutMs } = options;
  if (trust.mode === 'pin') {
    const pinned = normaliseFingerprint(trust.sha256);
    // No TLS session resumption: a resumed session carries no peer certificate to check.
    const base = undici().buildConnector({
      rejectUnauthorized: false,
      timeout: connectTimeoutMs,
      maxCachedSessions: 0,
    });
    // The pin is checked on the handshake's certificate, before a single request byte is sent.
    return new (undici().Agent)({
      connect: (opts, callback) =>
        base(opts, (error, socket) => {
          if (error) return callback(error, null);
          const seen = (socket as TLSSocket).getPeerCertificate().fingerprint256;
          if (seen !== pinned) {
            socket.destroy();
            return callback(
              new TlsUntrustedError(`certificate fingerprint ${seen} does not match the pinned ${pinned}`),
              null,
            );
          }
          return callback(null, socket);
        }),
    });
  }
  const tls =
    trust.mode === 'ca' ? { ca: trust.caPem } : trust.mode === 'insecure' ? { rejectUnauthorized: false } : {};
  return new (undici().Agent)({ connect: { ...tls, timeout: connectTimeoutMs } });
}

/** The fingerprint a panel presents, for error messages that tell the operator what to pin. */
export function probeFingerprint(host: string, port: number, timeoutMs = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host,
      port,
      rejectUnauthorized: false,
      servername: host.match(/^[\d.]+$/) ? undefined : host,
    });
    const done = (value: string | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('secureConnect', () => done(socket.getPeerCertificate().fingerprint256));
    socket.once('error', () => done(undefined));
  });
}

/** The certificate a panel presents, with what a cURL command needs to check the same one. */
export interface PresentedCertificate {
  pem: string;
  fingerprint256: string;
  /** SHA-256 of the public key (SubjectPublicKeyInfo, DER), base64: curl's --pinnedpubkey. */
  publicKeySha256: string;
  /** Whether the certificate names the host (DNS or IP subject alternative name, or CN). */
  namesHost: boolean;
  /** The DNS names it carries, first the subject alternative names. */
  dnsNames: string[];
}

export function fetchCertificate(host: string, port: number, timeoutMs = 5000): Promise<PresentedCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const peer: PeerCertificate = socket.getPeerCertificate();
      socket.destroy();
      const cert = new X509Certificate(peer.raw);
      const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
      const sans = (peer.subjectaltname ?? '')
        .split(', ')
        .filter((n) => n.startsWith('DNS:'))
        .map((n) => n.slice(4));
      const cn = typeof peer.subject?.CN === 'string' ? [peer.subject.CN] : [];
      resolve({
        pem: cert.toString(),
        fingerprint256: cert.fingerprint256,
        publicKeySha256: createHash('sha256').update(spki).digest('base64'),
        namesHost: checkServerIdentity(host, peer) === undefined,
        dnsNames: [...sans, ...cn].filter((n) => !n.includes('*')),
      });
    });
  });
}
