import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { type Clock, systemClock } from '../platform/clock.js';
import { type ApiError, authorise, type Caller, DATA_INVALID, identify, ipAllowed } from './auth.js';
import { newCertificate } from './certificate.js';
import { COMMANDS, runCommand } from './commands.js';
import { Faults } from './faults.js';
import {
  applyServices,
  initialState,
  loadState,
  type PackageLimits,
  type SandboxService,
  type SandboxState,
  saveState,
} from './state.js';

/**
 * The sandbox panel: a HestiaCP API emulator (docs/hestia-protocol.md §7) over real HTTPS with its own
 * self-signed certificate (kept in its state). `npm start` runs one as a clearly labelled
 * sandbox server; tests run them to exercise the real client over the real protocol, with
 * faults on demand.
 */
export const HTTP_STATUS_BY_CODE: Record<number, number> = {
  0: 200,
  1: 400,
  2: 422,
  3: 400,
  4: 400,
  5: 401,
  6: 401,
  7: 400,
  8: 400,
  9: 401,
  10: 401,
  11: 400,
  21: 401,
};
export const statusForCode = (code: number) => HTTP_STATUS_BY_CODE[code] ?? 400;

export const NGINX_500 =
  '<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const HTML = 'text/html; charset=UTF-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const BAN_AFTER_FAILURES = 5;
const FAILURE_WINDOW_MS = 10 * 60_000;
const BAN_MS = 10 * 60_000;

export interface CallRecord {
  cmd: string;
  /** The user argument (arg1), never secrets. */
  user: string | undefined;
  ip: string;
  atMs: number;
}

export interface SandboxPanelOptions {
  port?: number;
  host?: string;
  stateFile?: string;
  packages?: Record<string, PackageLimits>;
  clock?: Clock;
  /** The systems the panel runs (all four by default); a command needing another one exits 11. */
  services?: readonly SandboxService[];
  /**
   * Count failed logins from loopback too. The real panel's fail2ban ignores 127.0.0.0/8 and ::1
   * (so by default neither does the sandbox); tests of banning turn this on.
   */
  banLoopback?: boolean;
}

export interface SandboxPanel {
  url: string;
  host: string;
  port: number;
  certPem: string;
  /** SHA-256 of the certificate, `AB:CD:…`, for pinning. */
  fingerprintSha256: string;
  accessKey: { id: string; secret: string };
  rootUser: string;
  state: SandboxState;
  faults: Faults;
  /** Every command call that reached command handling, in order. */
  calls: CallRecord[];
  /** Every HTTP request that arrived (including refused ones). */
  requestCount(): number;
  save(): void;
  close(): Promise<void>;
}

/** Trims like PHP's trim(): spaces, tabs, newlines, NUL and vertical tab at both ends. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL and vertical tab are what PHP trims
const phpTrim = (s: string) => s.replace(/^[ \t\n\r\0\x0B]+|[ \t\n\r\0\x0B]+$/g, '');

const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1';

function truthyJson(output: string): boolean {
  try {
    const parsed: unknown = JSON.parse(output);
    if (parsed && typeof parsed === 'object') return Object.keys(parsed).length > 0;
    return Boolean(parsed);
  } catch {
    return false;
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': HTML, ...headers });
  res.end(body);
}

interface ParsedBody {
  fields: Record<string, string>;
  /** A NUL byte or a JSON array/object in an argument: PHP dies with a fatal error. */
  fatal: boolean;
}

function parseBody(raw: string, contentType: string | undefined): ParsedBody {
  const fields: Record<string, string> = {};
  let fatal = false;
  if (!contentType?.includes('application/json')) {
    for (const [k, v] of new URLSearchParams(raw)) {
      fields[k] = v;
      if (v.includes('\0')) fatal = true;
    }
  }
  if (fields.access_key === undefined && fields.user === undefined && fields.hash === undefined) {
    try {
      const json = JSON.parse(raw) as Record<string, unknown>;
      if (json && typeof json === 'object') {
        for (const [k, v] of Object.entries(json)) {
          if (v !== null && typeof v === 'object') fatal = true;
          else if (v !== undefined && v !== null) fields[k] = String(v);
        }
      }
    } catch {
      // not JSON: keep the form fields
    }
  }
  return { fields, fatal };
}

function argsOf(fields: Record<string, string>): string[] {
  const args: string[] = [];
  for (let i = 1; i <= 13; i++) {
    const v = fields[`arg${i}`];
    if (v === undefined) break;
    args.push(phpTrim(v));
  }
  return args;
}

export async function startSandboxPanel(options: SandboxPanelOptions = {}): Promise<SandboxPanel> {
  const clock = options.clock ?? systemClock;
  const state = loadState(options.stateFile, () =>
    initialState({ ...(options.packages ? { packages: options.packages } : {}) }),
  );
  if (options.services) applyServices(state, options.services);
  // The certificate lives in the state, so a panel restarted on its state file keeps its pin.
  state.certificate ??= await newCertificate();
  const pems = { private: state.certificate.keyPem, cert: state.certificate.certPem };
  const save = () => saveState(options.stateFile, state);
  save();
  const fingerprintSha256 = new X509Certificate(pems.cert).fingerprint256;
  const faults = new Faults();
  const calls: CallRecord[] = [];
  const failures = new Map<string, number[]>();
  const bannedUntil = new Map<string, number>();
  const sockets = new Set<Socket>();
  let requests = 0;

  const recordFailure = (ip: string) => {
    if (isLoopback(ip) && !options.banLoopback) return;
    const now = clock.nowMs();
    const recent = (failures.get(ip) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
    recent.push(now);
    failures.set(ip, recent);
    if (recent.length >= BAN_AFTER_FAILURES) {
      bannedUntil.set(ip, now + BAN_MS);
      failures.delete(ip);
    }
  };
  const isBanned = (ip: string) => (bannedUntil.get(ip) ?? 0) > clock.nowMs();

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const ip = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/api') return send(res, 301, '', { location: '/api/' });
    if (path !== '/api/' && path !== '/api/index.php')
      return send(res, 404, '<html><body><h1>404 Not Found</h1></body></html>', {});
    const { fields, fatal } = parseBody(raw, req.headers['content-type']);
    if (fatal) return send(res, 500, NGINX_500, {});
    const returncode = fields.returncode === 'yes';
    const apiFail = (e: ApiError) => {
      if (e.failedLogin) recordFailure(ip);
      send(res, e.status, returncode ? String(e.code) : e.body, { 'hestia-exit-code': String(e.code) });
    };
    if (req.method !== 'POST') return apiFail({ status: 405, code: 405, body: DATA_INVALID, failedLogin: false });
    if (!ipAllowed(state, ip))
      return apiFail({
        status: 401,
        code: 10,
        body: 'Error: IP is not allowed to connect with API',
        failedLogin: false,
      });
    const caller = identify(state, fields);
    if ('status' in caller) return apiFail(caller);
    const cmd = phpTrim(fields.cmd ?? '');
    if (cmd === '') return apiFail({ status: 422, code: 2, body: 'Error: Command not provided', failedLogin: false });
    if (!/^[a-zA-Z0-9_-]+$/.test(cmd))
      return apiFail({ status: 422, code: 2, body: `Error: ${cmd} command invalid`, failedLogin: false });
    const args = argsOf(fields);
    // Legacy mode answers OK to a command that does not exist: a failure that looks like success.
    if (caller.mode === 'legacy' && !COMMANDS[cmd]) return send(res, 200, returncode ? '0' : 'OK', {});
    if (caller.mode === 'key' && !COMMANDS[cmd])
      return apiFail({ status: 401, code: 10, body: `Error: Command ${cmd} not found`, failedLogin: true });
    const denied = authorise(state, caller, cmd, args);
    if (denied) return apiFail(denied);
    await runWithFaults({ req, res, caller, cmd, args, returncode, ip });
  };

  const runWithFaults = async (call: {
    req: IncomingMessage;
    res: ServerResponse;
    caller: Caller;
    cmd: string;
    args: string[];
    returncode: boolean;
    ip: string;
  }) => {
    const { res, cmd, args } = call;
    const { latencyMs, fault } = faults.take(cmd);
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    if (fault?.kind === 'timeout') return; // never answer; the socket closes with the server
    if (fault?.kind === 'reset') return call.req.socket.destroy();
    if (fault?.kind === 'html500') return send(res, 500, NGINX_500, {});
    calls.push({ cmd, user: args[0], ip: call.ip, atMs: clock.nowMs() });
    const result =
      fault?.kind === 'exit'
        ? { code: fault.code ?? 13, output: `Error: injected failure (exit code ${fault.code ?? 13})` }
        : runCommand(cmd, args, { state, nowMs: clock.nowMs() });
    if (result.code === 0 && COMMANDS[cmd]?.mutates) save();
    if (fault?.kind === 'lost') return call.req.socket.destroy();
    respond(call, result.code, phpTrim(result.output));
  };

  const respond = (
    call: { res: ServerResponse; caller: Caller; returncode: boolean },
    code: number,
    output: string,
  ) => {
    const { res, caller, returncode } = call;
    if (caller.mode === 'legacy') {
      if (returncode) return send(res, 200, String(code), {});
      if (code !== 0) return send(res, 200, `${output}\n`, {});
      return send(res, 200, output === '' ? 'OK' : output, {});
    }
    const exit = { 'hestia-exit-code': String(code) };
    if (returncode) return send(res, 200, String(code), exit);
    if (code !== 0) return send(res, statusForCode(code), output, exit);
    if (output === '') {
      res.writeHead(204, exit);
      return res.end();
    }
    return send(res, 200, output, { ...exit, 'content-type': truthyJson(output) ? JSON_TYPE : HTML });
  };

  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    requests += 1;
    // A ban also cuts connections that were already open, as a firewall would.
    if (isBanned((req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''))) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch(() => {
        if (!res.headersSent) send(res, 500, NGINX_500, {});
      });
    });
  });
  // fail2ban drops a banned address at the firewall: the connection is refused before TLS.
  server.on('connection', (socket: Socket) => {
    const ip = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (isBanned(ip)) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const adminKey = state.keys.find((k) => k.user === state.rootUser)!;
  return {
    url: `https://${host}:${port}/api/`,
    host,
    port,
    certPem: pems.cert,
    fingerprintSha256,
    accessKey: { id: adminKey.id, secret: adminKey.secret },
    rootUser: state.rootUser,
    state,
    faults,
    calls,
    requestCount: () => requests,
    save,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
