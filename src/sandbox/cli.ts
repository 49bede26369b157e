import type { Command } from 'commander';
import { CliUsageError } from '../cli/input.js';

/** `portico sandbox-panel`: the HestiaCP emulator on its own, to try Portico or test a billing system against. */
export function registerSandboxCommands(program: Command): void {
  program
    .command('sandbox-panel')
    .description('Run the sandbox panel (HestiaCP emulator) on its own, for trying Portico or a billing test bed')
    .option('--port <port>', 'HTTPS port', '8083')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--state <file>', 'keep users, domains and keys in this JSON file')
    .option('--latency-ms <ms>', 'delay every call, like a real panel under load', '0')
    .option('--unlimited', 'lift the demo packages’ domain limits (for load tests)')
    .option('--services <list>', 'the systems the panel runs, comma-separated (web,dns,mail,db)', 'web,dns,mail,db')
    .action(async (opts: SandboxPanelFlags) => {
      const [{ startSandboxPanel }, { parseServices }] = await Promise.all([
        import('./server.js'),
        import('./state.js'),
      ]);
      const panel = await startSandboxPanel({
        port: Number(opts.port),
        host: opts.host,
        services: servicesFlag(parseServices, opts.services),
        ...(opts.state ? { stateFile: opts.state } : {}),
      });
      if (Number(opts.latencyMs) > 0)
        panel.faults.add({ kind: 'latency', ms: Number(opts.latencyMs), times: Number.POSITIVE_INFINITY });
      if (opts.unlimited) {
        for (const pkg of Object.values(panel.state.packages)) {
          Object.assign(pkg, { WEB_DOMAINS: 'unlimited', DNS_DOMAINS: 'unlimited', MAIL_DOMAINS: 'unlimited' });
        }
      }
      console.log(`Sandbox panel (HestiaCP emulator — not a real panel) at ${panel.url}`);
      console.log(`Systems it runs: ${opts.services || 'none'}`);
      console.log(`Certificate SHA-256: ${panel.fingerprintSha256}`);
      console.log(`Access key: ${panel.accessKey.id}:${panel.accessKey.secret}`);
      console.log('Register it:');
      console.log(
        `  printf %s '${panel.accessKey.id}:${panel.accessKey.secret}' | portico server add --name sandbox --host ${panel.host} --port ${panel.port} --tls pin:${panel.fingerprintSha256}`,
      );
      const stop = () => void panel.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

interface SandboxPanelFlags {
  port: string;
  host: string;
  state?: string;
  latencyMs: string;
  unlimited?: boolean;
  services: string;
}

function servicesFlag<T>(parseServices: (list: string) => T, list: string): T {
  try {
    return parseServices(list);
  } catch (error) {
    throw new CliUsageError(`--services ${list}: ${(error as Error).message}.`);
  }
}
