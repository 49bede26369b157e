import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Insertable, Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { AppContext } from '../src/app-context.js';
import { insertCategory, insertProduct } from '../src/catalog/store.js';
import { loadConfig } from '../src/config.js';
import { hashPassword } from '../src/platform/crypto/password.js';
import type { Database } from '../src/platform/db/schema.js';
import { newId } from '../src/platform/ids.js';
import { silentLogger } from '../src/platform/log.js';
import { openApp } from '../src/runtime.js';
import { createPgDatabase } from './servers.js';

/**
 * `npm run bench:billing` (and a row of `npm run bench`): the billing run over N active services
 * (BENCH_BILLING_SERVICES, default 100,000; ten per client), every one due within the invoice
 * window so each gets a renewal invoice — the worst case. A quarter of the clients hold enough
 * credit to pay all their invoices (so credit is applied and due dates advance), a tenth pay in
 * EUR, a fifth are in Germany (19 % VAT).
 *
 * The rows are seeded in bulk (multi-row inserts, one transaction per table, not through
 * the API), on SQLite in a temp data dir and on PostgreSQL in a database the bench creates and
 * drops (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres; skipped with a
 * message when no server answers). The run itself is timed in a child process of its own
 * (bench/billing-child.ts), so its peak RSS is the run's; then a second run, with nothing left to
 * do. BENCH_BILLING_PROFILE=1 records a CPU profile of the first run and prints where its time
 * went, by module. BENCH_BILLING_BACKENDS=sqlite or =postgres runs one of the two.
 */
const SERVICES = Number(process.env.BENCH_BILLING_SERVICES ?? 100_000);
const PER_CLIENT = 10;
const PROFILE = process.env.BENCH_BILLING_PROFILE === '1';
const BACKENDS = (process.env.BENCH_BILLING_BACKENDS ?? 'sqlite,postgres').split(',');
const TARGET_S = 60;
const DAY_MS = 86_400_000;
const ROOT = resolve(import.meta.dirname, '..');
const RUN_TS = join(ROOT, 'bin/run-ts.js');
const CHILD = join(import.meta.dirname, 'billing-child.ts');

interface ChildResult {
  wallMs: number;
  /** CPU time of the run's process (user + system) during the run: the figure a busy machine disturbs least. */
  cpuMs: number;
  durationMs: number;
  counts: Record<string, number>;
  phases?: Record<string, number>;
  rssBeforeKb: number;
  maxRssKb: number;
  heapUsedKb: number;
}

interface Row {
  backend: string;
  seedS: number;
  first: ChildResult;
  second: ChildResult;
  invoices: number;
  paidFromCredit: number;
  profile?: string[];
}

/** Inserts rows in chunks small enough for either database's limit on bound parameters. */
async function insertChunked<T extends keyof Database & string>(
  db: Kysely<Database>,
  table: T,
  rows: Insertable<Database[T]>[],
): Promise<void> {
  const columns = Object.keys(rows[0] ?? {}).length || 1;
  const chunk = Math.max(1, Math.floor(30_000 / columns));
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += chunk) {
      await trx
        .insertInto(table)
        .values(rows.slice(i, i + chunk) as never)
        .execute();
    }
  });
}

/** The seeded world: what the run will find, and the moment it runs at. */
async function seed(app: AppContext, atMs: number): Promise<void> {
  await app.settings.set('billing.tax_rates', 'DE=19:VAT');
  const db = app.db.kysely;
  const categoryId = newId('category', atMs);
  await insertCategory(db, { id: categoryId, slug: 'hosting', name: 'Hosting', description: '', sort_order: 1 });
  const productId = newId('product', atMs);
  await insertProduct(
    db,
    {
      id: productId,
      category_id: categoryId,
      slug: 'starter',
      name: 'Starter',
      description: 'Shared hosting',
      module: 'hestia',
      panel_package: 'starter',
      server_group: 'default',
      features: JSON.stringify({ webDomain: true, dnsZone: true, mailDomain: false }),
      enabled: 1,
      sort_order: 1,
      created_at_ms: atMs,
    },
    [
      { product_id: productId, billing_cycle: 'monthly', amount_minor: 499, setup_fee_minor: 0, currency: 'USD' },
      { product_id: productId, billing_cycle: 'monthly', amount_minor: 459, setup_fee_minor: 0, currency: 'EUR' },
    ],
  );

  const passwordHash = await hashPassword('bench-password-1');
  const clientCount = Math.ceil(SERVICES / PER_CLIENT);
  const clients: Insertable<Database['clients']>[] = [];
  const ledger: Insertable<Database['credit_ledger']>[] = [];
  const services: Insertable<Database['services']>[] = [];
  const today = DateTime.fromMillis(atMs, { zone: 'UTC' }).startOf('day');
  for (let c = 0; c < clientCount; c++) {
    const id = newId('client', atMs - DAY_MS * 400);
    const currency = c % 10 === 9 ? 'EUR' : 'USD';
    const credit = c % 4 === 0 ? 10_000 : c % 4 === 1 ? 300 : 0;
    clients.push({
      id,
      email: `client${c}@bench.example`,
      name: `Bench Client ${c}`,
      company: c % 3 === 0 ? `Company ${c} Ltd` : null,
      phone: null,
      country: c % 5 === 0 ? 'DE' : 'US',
      address: `${c} Bench Street\nSpringfield`,
      tax_id: null,
      password_hash: passwordHash,
      status: 'active',
      credit_minor: credit,
      currency,
      is_demo: 0,
      created_at_ms: atMs - DAY_MS * 400,
      updated_at_ms: atMs - DAY_MS * 400,
    });
    if (credit > 0) {
      ledger.push({
        id: newId('credit', atMs - DAY_MS),
        client_id: id,
        amount_minor: credit,
        currency,
        balance_after_minor: credit,
        reason: 'Opening credit',
        actor_type: 'system',
        actor_id: null,
        invoice_id: null,
        payment_id: null,
        at_ms: atMs - DAY_MS,
      });
    }
    for (let s = 0; s < PER_CLIENT && services.length < SERVICES; s++) {
      const n = services.length;
      // Due 1–6 local days from now: every service is inside the 7-day invoice window. The anchor
      // is 1–12 months earlier on the same day of the month (12 for days a shorter month lacks),
      // so the due date is exactly a period start counted from it.
      const due = today.plus({ days: 1 + (n % 6) });
      const months = due.day > 28 ? 12 : 1 + (n % 12);
      const anchor = due.minus({ months });
      services.push({
        id: newId('service', anchor.toMillis()),
        client_id: id,
        product_id: productId,
        order_id: null,
        server_id: null,
        panel_username: `bench${n}`,
        domain: `site${n}.bench.example`,
        status: 'active',
        billing_cycle: 'monthly',
        amount_minor: currency === 'EUR' ? 459 : 499,
        currency,
        next_due_at_ms: due.toMillis(),
        cancellation_type: null,
        cancellation_reason: null,
        cancellation_requested_at_ms: null,
        panel_password_sealed: null,
        panel_password_revealed_at_ms: null,
        suspension_reason: null,
        billing_anchor_ms: anchor.toMillis(),
        next_billing_cycle: null,
        terminated_at_ms: null,
        created_at_ms: anchor.toMillis(),
        updated_at_ms: anchor.toMillis(),
      });
    }
  }
  await insertChunked(db, 'clients', clients);
  await insertChunked(db, 'credit_ledger', ledger);
  await insertChunked(db, 'services', services);
}

function runChild(env: Record<string, string>, profileDir?: string): Promise<ChildResult> {
  const profile = profileDir ? { BENCH_BILLING_PROFILE_FILE: join(profileDir, 'run.cpuprofile') } : {};
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [RUN_TS, CHILD], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env, ...profile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`billing run child exited ${code}: ${err || out}`));
        return;
      }
      resolvePromise(JSON.parse(line) as ChildResult);
    });
  });
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

/** Self time of a CPU profile by where the code lives: a src/ file, a package, node itself, GC. */
function summariseProfile(dir: string): string[] {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return ['(no profile written)'];
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const buckets = new Map<string, number>();
  let total = 0;
  for (const [i, id] of profile.samples.entries()) {
    const us = profile.timeDeltas[i] ?? 0;
    const node = byNode.get(id);
    if (!node) continue;
    const { url, functionName } = node.callFrame;
    let bucket: string;
    if (!url) bucket = functionName.startsWith('(') ? functionName : `native ${functionName || '(anonymous)'}`;
    else if (url.includes('/node_modules/')) bucket = `pkg ${url.split('/node_modules/').pop()?.split('/')[0]}`;
    else if (url.startsWith('node:')) bucket = 'node internals';
    else bucket = relative(ROOT, url.replace(/^file:\/\//, ''));
    if (bucket === '(idle)') continue;
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    total += us;
  }
  return [...buckets.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 14)
    .map(
      ([name, us]) =>
        `${(us / 1e6).toFixed(1).padStart(6)} s ${((us / total) * 100).toFixed(0).padStart(3)} %  ${name}`,
    );
}

async function bench(backend: 'sqlite' | 'postgres', databaseUrl: string | undefined): Promise<Row> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-billing-'));
  const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'portico-bench-billing-prof-')) : undefined;
  const env = { PORTICO_DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
  try {
    // Noon UTC today: due dates (local days, UTC) fall 1–6 days after it.
    const atMs = DateTime.utc().startOf('day').plus({ hours: 12 }).toMillis();
    const app = await openApp(loadConfig({ ...env, PORTICO_DEMO: 'off', PORTICO_WORKER: 'off' }), {
      logger: silentLogger(),
    });
    const seedStarted = performance.now();
    try {
      await seed(app, atMs);
    } finally {
      await app.close();
    }
    const seedS = (performance.now() - seedStarted) / 1000;
    console.log(`  ${backend}: seeded ${SERVICES} services in ${seedS.toFixed(1)} s; running…`);
    const childEnv = { ...env, BENCH_BILLING_AT_MS: String(atMs) };
    const first = await runChild(childEnv, profileDir);
    const second = await runChild(childEnv);
    const check = await openApp(loadConfig({ ...env, PORTICO_DEMO: 'off', PORTICO_WORKER: 'off' }), {
      logger: silentLogger(),
    });
    try {
      const db = check.db.kysely;
      const invoices = await db
        .selectFrom('invoices')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .where('kind', '=', 'renewal')
        .executeTakeFirstOrThrow();
      const paid = await db
        .selectFrom('invoices')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .where('kind', '=', 'renewal')
        .where('status', '=', 'paid')
        .executeTakeFirstOrThrow();
      return {
        backend,
        seedS,
        first,
        second,
        invoices: Number(invoices.n),
        paidFromCredit: Number(paid.n),
        ...(profileDir ? { profile: summariseProfile(profileDir) } : {}),
      };
    } finally {
      await check.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
}

console.log(
  `\nBilling run: ${SERVICES} active services (${Math.ceil(SERVICES / PER_CLIENT)} clients × ${PER_CLIENT}), all due within the invoice window; a quarter of the clients pay from credit`,
);
const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
function print(r: Row): void {
  const s = r.first.wallMs / 1000;
  console.log(`\n  ${r.backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`);
  console.log(`    seeding              ${r.seedS.toFixed(1)} s (bulk inserts, not timed as the run)`);
  console.log(
    `    first run            ${s.toFixed(1)} s wall, ${Math.round(SERVICES / s)} services/s, ${(r.first.cpuMs / 1000).toFixed(1)} s CPU in the run's process (target < ${TARGET_S} s: ${s < TARGET_S ? 'met' : 'MISSED'})`,
  );
  console.log(
    `    peak RSS             ${mb(r.first.maxRssKb)} (${mb(r.first.rssBeforeKb)} before the run; heap ${mb(r.first.heapUsedKb)} after)`,
  );
  console.log(
    `    renewal invoices     ${r.invoices} for ${SERVICES} services, ${r.paidFromCredit} paid from credit; actions ${JSON.stringify(r.first.counts)}`,
  );
  if (r.first.phases)
    console.log(
      `    phases               ${Object.entries(r.first.phases)
        .map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`)
        .join(', ')}`,
    );
  console.log(
    `    second run           ${(r.second.wallMs / 1000).toFixed(1)} s wall, ${(r.second.cpuMs / 1000).toFixed(1)} s CPU (nothing to do: ${JSON.stringify(r.second.counts)}), peak RSS ${mb(r.second.maxRssKb)}`,
  );
  if (r.profile)
    console.log(`    CPU profile of the first run (self time):\n${r.profile.map((l) => `      ${l}`).join('\n')}`);
}

if (BACKENDS.includes('sqlite')) print(await bench('sqlite', undefined));
if (BACKENDS.includes('postgres')) {
  const database = await createPgDatabase();
  if (typeof database === 'string') console.log(`  PostgreSQL skipped: ${database}`);
  else {
    try {
      print(await bench('postgres', database.url));
    } finally {
      await database.drop();
    }
  }
}
