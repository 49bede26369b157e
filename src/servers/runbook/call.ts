import type { AppContext } from '../../app-context.js';
import { exitCodeName } from '../../hestia/codes.js';
import { printCurl } from '../../hestia/curl.js';
import { newId } from '../../platform/ids.js';
import { credentialsOf, panelFor } from '../servers.js';
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
  const { client } = panelFor(deps, row);
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
      httpStatus: null,
      exitCode,
      exitName: exitCode === null ? result.error.code : exitCodeName(exitCode),
      body: result.error.message,
      durationMs,
    };
  } finally {
    await client.close();
  }
}

export function curlFor(deps: Pick<AppContext, 'secrets'>, row: ServerRow, cmd: string, args: string[]): string {
  const url = `https://${row.host}:${row.port}/api/`;
  const curl = printCurl({ url, credentials: credentialsOf(deps, row), cmd, args });
  return row.tls_mode === 'ca'
    ? curl.replace('curl -sS -i', 'curl -sS -i --cacert panel-ca.pem')
    : row.tls_mode === 'system'
      ? curl
      : curl.replace('curl -sS -i', 'curl -sS -i -k');
}
