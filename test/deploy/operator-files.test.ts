import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The operators' files (Dockerfile, compose.yaml, deploy/systemd/) are not run here: base images
// cannot be pulled and systemd does not run the tests (`.ci/run` verifies the units with
// systemd-analyze). What can be checked is that they parse and that every `portico` command they
// run is a real command with real options.

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/portico.js');
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');

/** Whether `portico <args…>` is a command `portico` accepts: its --help answers 0, options parse. */
function expectRealCommand(args: string[]): void {
  const names = args.filter((a, i) => !a.startsWith('-') && !(i > 0 && args[i - 1]!.startsWith('--')));
  const help = spawnSync(process.execPath, [BIN, ...names, '--help'], { encoding: 'utf8' });
  expect(help.status, `portico ${names.join(' ')} --help: ${help.stderr}`).toBe(0);
  expect(help.stdout).toContain(`Usage: portico ${names.join(' ')}`);
  for (const option of args.filter((a) => a.startsWith('--'))) expect(help.stdout).toContain(option);
}

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { disable?: boolean; test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  secrets?: string[];
  volumes?: string[];
  image?: string;
  build?: string;
}

describe("the operators' files", () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as {
    services: Record<string, ComposeService>;
    secrets: Record<string, { file: string }>;
    volumes: Record<string, unknown>;
  };

  it('compose.yaml: serve without its worker, workers apart, migrations first, PostgreSQL, Redis, the key as a secret', () => {
    const { serve, worker, migrate, postgres, redis } = compose.services;
    expect(serve?.command).toEqual(['serve']);
    expect(serve?.environment?.PORTICO_WORKER).toBe('off');
    expect(worker?.command?.[0]).toBe('worker');
    expect(migrate?.command).toEqual(['migrate']);
    for (const s of [serve, worker]) {
      expect(s?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
      expect(s?.environment?.DATABASE_URL).toMatch(
        /^postgres:\/\/portico:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432\//,
      );
      expect(s?.environment?.REDIS_URL).toBe('redis://redis:6379');
      expect(s?.environment?.PORTICO_MASTER_KEY_FILE).toBe('/run/secrets/portico_master_key');
      expect(s?.secrets).toContain('portico_master_key');
      expect(s?.volumes).toContain('portico-data:/var/lib/portico');
    }
    expect(compose.secrets.portico_master_key?.file).toBeTruthy();
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['portico-data', 'postgres-data']));
    expect(postgres?.image).toMatch(/^postgres:/);
    expect(redis?.image).toMatch(/^redis:/);
    expect(postgres?.healthcheck?.test).toBeTruthy();
  });

  it('compose.yaml, the Dockerfile and the systemd units run only real portico commands', () => {
    const commands = Object.values(compose.services)
      .filter((s) => s.build !== undefined)
      .map((s) => s.command ?? []);
    const dockerfile = read('Dockerfile');
    commands.push(JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[]);
    for (const unit of ['deploy/systemd/portico.service', 'deploy/systemd/portico-worker.service']) {
      for (const [, line] of read(unit).matchAll(
        /^ExecStart(?:Pre)?=\/usr\/bin\/node \/opt\/portico\/bin\/portico\.js (.+)$/gm,
      ))
        commands.push(line!.split(' '));
    }
    expect(commands.length).toBeGreaterThanOrEqual(7);
    for (const args of commands) expectRealCommand(args);
  });

  it('the Dockerfile: two stages, the official Node 20 slim image, production packages, non-root, /readyz health check, a data volume', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM node:20-bookworm-slim/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/readyz/m);
    expect(dockerfile).toMatch(/^VOLUME \["\/var\/lib\/portico"\]$/m);
    expect(dockerfile).toMatch(/PORTICO_DATA_DIR=\/var\/lib\/portico/);
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
  });

  it('the systemd units are hardened and restart on failure', () => {
    for (const unit of ['deploy/systemd/portico.service', 'deploy/systemd/portico-worker.service']) {
      const text = read(unit);
      for (const line of [
        'User=portico',
        'ProtectSystem=strict',
        'ReadWritePaths=/var/lib/portico',
        'Restart=on-failure',
        'EnvironmentFile=/etc/portico/portico.env',
        'NoNewPrivileges=yes',
        'Environment=PORTICO_MASTER_KEY_FILE=%d/master.key',
      ])
        expect(text.split('\n'), `${unit}: ${line}`).toContain(line);
    }
  });
});
