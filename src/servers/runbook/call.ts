import type { AppContext } from '../../app-context.js';
import type { PanelCallRecord } from '../../hestia/client.js';
import { exitCodeName } from '../../hestia/codes.js';
import { type CurlTrust, printCurl } from '../../hestia/curl.js';
import { fetchCertificate } from '../../hestia/tls.js';
import { AppError } from '../../platform/http/errors.js';
import { newId } from '../../platform/ids.js';
import { credentialsOf, panelFor, tlsOf } from '../servers.js';
import type { ServerRow } from '../store.js';

/** `portico hestia call`: one isolated panel call, with its outcome as the panel gave it. */
export interface CallReport {
  ok: boolean;
  httpStatus: number | null;
  exitCode: number | null;
  exitName: string;
  body: string;
  durationMs: number;
}

type Deps = Pick<AppContext, 'db' | 'clock' | 'logger' | 'secrets'>;

export async function callPanel(deps: Deps, row: ServerRow, cmd: string, args: string[]): Promise<CallReport> {
  // The HTTP status of a failed call is not part of the panel's error: take it from the record.
  let record: PanelCallRecord | undefined;
  const { client } = panelFor(deps, row, {
    onCall: (r) => {
      record = r;
    },
  });
  const started = Date.now();
  try {
    const result = await client.call({ correlationId: newId('request') }, cmd, args);
    const durationMs = Date.now() - started;
    if (result.ok) {
      return {
        ok: true,
        httpStatus: result.value.status,
        exitCode: result.value.exitCode,
        exitName: 'OK',
        body: result.value.body,
        durationMs,
      };
    }
    const exitCode = result.error.exitCode ?? null;
    return {
      ok: false,
      httpStatus: record?.httpStatus ?? null,
      exitCode,
      exitName: exitCode === null ? result.error.code : exitCodeName(exitCode),
      body: result.error.message,
      durationMs,
    };
  } finally {
    await client.close();
  }
}

/**
 * `--print-curl`: the call as a cURL command that checks the certificate as this server is
 * configured. For a pinned server the certificate is fetched first and must match the pin:
 * otherwise no command is printed, since it would trust a certificate Portico refuses.
 */
export async function curlFor(
  deps: Pick<AppContext, 'secrets'>,
  row: ServerRow,
  cmd: string,
  args: string[],
): Promise<string> {
  const tls = tlsOf(row);
  let trust: CurlTrust;
  if (tls.mode === 'ca') trust = { mode: 'ca', caPem: tls.caPem, caFile: `${row.name}-ca.pem` };
  else if (tls.mode === 'pin') trust = await pinnedTrust(row, tls.sha256);
  else trust = { mode: tls.mode };
  return printCurl({
    host: row.host,
    port: row.port,
    credentials: credentialsOf(deps, row),
    cmd,
    args,
    trust,
    serverName: row.name,
  });
}

async function pinnedTrust(row: ServerRow, pin: string): Promise<CurlTrust> {
  let cert: Awaited<ReturnType<typeof fetchCertificate>>;
  try {
    cert = await fetchCertificate(row.host, row.port);
  } catch (error) {
    throw new AppError(
      'unavailable',
      `Could not read the certificate of ${row.host}:${row.port} to build a pinned cURL command (${(error as Error).message}); \`portico server check ${row.name}\` says why.`,
    );
  }
  if (cert.fingerprint256 !== pin) {
    throw new AppError(
      'conflict',
      `The panel presents certificate ${cert.fingerprint256}, not the pinned ${pin}: no cURL command is printed that would trust it. If the certificate was replaced on purpose: \`portico server update ${row.name} --tls pin:${cert.fingerprint256}\`.`,
    );
  }
  const certName = cert.namesHost ? undefined : cert.dnsNames[0];
  return {
    mode: 'pin',
    pin,
    certPem: cert.pem,
    certFile: `${row.name}-pinned.pem`,
    publicKeySha256: cert.publicKeySha256,
    ...(certName ? { certName } : {}),
  };
}
