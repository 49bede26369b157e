import { formBody, type PanelCredentials, SECRET_ARGS } from './client.js';

/**
 * The equivalent cURL command of one panel call, for `portico hestia call --print-curl`: secrets
 * (secret key, hash, password, password arguments) replaced by [REDACTED], so it can be pasted
 * into a ticket. It checks the panel's certificate the way the server is configured, and says in
 * comments exactly what it checks; a file it needs (CA, pinned certificate) is written by the
 * snippet itself, so the snippet runs as printed.
 */
export type CurlTrust =
  | { mode: 'system' }
  | { mode: 'ca'; caPem: string; caFile: string }
  | {
      mode: 'pin';
      /** The pinned fingerprint (SHA-256 of the certificate, `AB:CD:…`). */
      pin: string;
      /** The certificate the panel presented, already matched against the pin. */
      certPem: string;
      certFile: string;
      /** SHA-256 of that certificate's public key (SPKI), base64: curl's --pinnedpubkey. */
      publicKeySha256: string;
      /** A name the certificate carries, when it does not name the host Portico connects to. */
      certName?: string;
    }
  | { mode: 'insecure' };

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

function fileFromPem(file: string, pem: string): string {
  return `cat > ${quote(file)} <<'PEM'\n${pem.trim()}\nPEM`;
}

export function printCurl(options: {
  host: string;
  port: number;
  credentials: PanelCredentials;
  cmd: string;
  args: string[];
  trust: CurlTrust;
  serverName: string;
}): string {
  const { host, port, trust } = options;
  const form = formBody(options.credentials, options.cmd, options.args);
  for (const key of ['secret_key', 'hash', 'password']) if (form.has(key)) form.set(key, '[REDACTED]');
  for (const i of SECRET_ARGS[options.cmd] ?? []) if (form.has(`arg${i + 1}`)) form.set(`arg${i + 1}`, '[REDACTED]');
  const lines: string[] = [];
  const curl = ['curl', '-sS', '-i'];
  let urlHost = host.includes(':') ? `[${host}]` : host;
  if (trust.mode === 'system') {
    lines.push(`# TLS: the system's CAs and the host name ${host}, as Portico checks server ${options.serverName}.`);
  } else if (trust.mode === 'ca') {
    lines.push(
      `# TLS: the CA file configured for server ${options.serverName} (written below) and the host name ${host},`,
      '# as Portico checks it.',
      fileFromPem(trust.caFile, trust.caPem),
    );
    curl.push('--cacert', quote(trust.caFile));
  } else if (trust.mode === 'pin') {
    lines.push(
      `# TLS: server ${options.serverName} is pinned by its certificate's SHA-256 fingerprint`,
      `#   ${trust.pin}.`,
      '# curl cannot pin a certificate fingerprint (--pinnedpubkey pins the public key), so this',
      '# command checks that certificate with two options instead:',
      `#   --cacert ${trust.certFile}: the certificate below (the panel presented it just now, and its`,
      '#     fingerprint is the pin) is the only trusted CA: the panel must present it, or a',
      '#     certificate signed with its private key; and curl checks the host name it carries;',
      `#   --pinnedpubkey sha256//${trust.publicKeySha256}:`,
      '#     the public key in that certificate.',
      '# Portico itself accepts only the pinned certificate and checks no host name.',
    );
    if (trust.certName) {
      lines.push(
        `# The certificate does not name ${host}: --connect-to sends the request to ${host}:${port}`,
        `# while curl checks the name ${trust.certName} that the certificate carries.`,
      );
      curl.push('--connect-to', quote(`${trust.certName}:${port}:${host}:${port}`));
      urlHost = trust.certName;
    }
    lines.push(fileFromPem(trust.certFile, trust.certPem));
    curl.push('--cacert', quote(trust.certFile), '--pinnedpubkey', quote(`sha256//${trust.publicKeySha256}`));
  } else {
    lines.push(
      `# TLS: NOT VERIFIED (-k). Server ${options.serverName} is in insecure mode (labs only), and Portico`,
      '# does not check its certificate either.',
    );
    curl.push('-k');
  }
  for (const [k, v] of form) curl.push('--data-urlencode', quote(`${k}=${v}`));
  curl.push(quote(`https://${urlHost}:${port}/api/`));
  lines.push(curl.join(' '));
  return lines.join('\n');
}
