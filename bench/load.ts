import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import autocannon from 'autocannon';

/** Load-generation helpers for `npm run bench`: servers run as child processes, load from here. */

export interface LoadResult {
  name: string;
  requestsPerS: number;
  p99Ms: number;
  non2xx: number;
  /** CPU time the server process used per request (all its threads), when its pid is known. */
  cpuUsPerRequest?: number;
  /** The same, for the server's main (request) thread only. */
  mainCpuUsPerRequest?: number;
}

/**
 * CPU time (user + system) used so far, in microseconds (Linux /proc): by the whole process, or
 * by its main thread only (the request thread of a Node server) with `mainThreadOnly`.
 */
export function processCpuUs(pid: number | undefined, mainThreadOnly = false): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const path = mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
    const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after "pid (comm) ".
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS_PER_S = 100;

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export function startProcess(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

export async function load(options: {
  name: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  durationS?: number;
  /** The server's pid, to measure its CPU time per request. */
  serverPid?: number | undefined;
}): Promise<LoadResult> {
  const cpuBefore = processCpuUs(options.serverPid);
  const mainBefore = processCpuUs(options.serverPid, true);
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body ? { body: options.body } : {}),
    connections: options.connections ?? 50,
    duration: options.durationS ?? 8,
  });
  return {
    name: options.name,
    requestsPerS: Math.round(result.requests.average),
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    ...(cpuBefore !== undefined && mainBefore !== undefined && result.requests.total > 0
      ? {
          cpuUsPerRequest: ((processCpuUs(options.serverPid) ?? cpuBefore) - cpuBefore) / result.requests.total,
          mainCpuUsPerRequest:
            ((processCpuUs(options.serverPid, true) ?? mainBefore) - mainBefore) / result.requests.total,
        }
      : {}),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function printTable(rows: (LoadResult & { range?: string })[], baseline: LoadResult): void {
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `\n${'scenario'.padEnd(48)}${pad('req/s', 7)}${pad('(range)', 16)}${pad('p99 ms', 8)}${pad('vs bare', 9)}${pad('CPU µs/req', 12)}${pad('(main)', 8)}${pad('non-2xx', 9)}`,
  );
  for (const row of rows) {
    const ratio = `${Math.round((row.requestsPerS / baseline.requestsPerS) * 100)} %`;
    const cpu = row.cpuUsPerRequest === undefined ? 'n/a' : row.cpuUsPerRequest.toFixed(1);
    const main = row.mainCpuUsPerRequest === undefined ? '' : `(${row.mainCpuUsPerRequest.toFixed(1)})`;
    console.log(
      `${row.name.padEnd(48)}${pad(row.requestsPerS, 7)}${pad(row.range ? `(${row.range})` : '', 16)}${pad(row.p99Ms, 8)}${pad(ratio, 9)}${pad(cpu, 12)}${pad(main, 8)}${pad(row.non2xx, 9)}`,
    );
  }
}
