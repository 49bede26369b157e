import type { Kysely } from 'kysely';
import type { Agent } from 'undici';
import type { AppContext } from '../app-context.js';
import { type ProductFeatures, parseFeatures } from '../catalog/catalog.js';
import { buildAgent } from '../hestia/tls.js';
import { JobFailure } from '../jobs/types.js';
import type { PanelResult } from '../panel/adapter.js';
import type { BillingCycle, Database } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { panelFor, tlsOf } from '../servers/servers.js';
import type { ServerRow } from '../servers/store.js';

/** What a lifecycle job needs about its service, and a panel bound to the job's correlation id. */
export interface ServiceFacts {
  id: string;
  clientId: string;
  clientEmail: string;
  clientName: string;
  status: string;
  domain: string | null;
  serverId: string | null;
  username: string | null;
  passwordSealed: string | null;
  productId: string;
  panelPackage: string;
  serverGroup: string;
  features: ProductFeatures;
  billingCycle: BillingCycle;
}

export async function loadService(db: Kysely<Database>, serviceId: string): Promise<ServiceFacts> {
  const row = await db
    .selectFrom('services')
    .innerJoin('products', 'products.id', 'services.product_id')
    .innerJoin('clients', 'clients.id', 'services.client_id')
    .select([
      'services.id',
      'services.client_id',
      'services.status',
      'services.domain',
      'services.server_id',
      'services.panel_username',
      'services.panel_password_sealed',
      'services.product_id',
      'services.billing_cycle',
      'products.panel_package',
      'products.server_group',
      'products.features',
      'clients.email',
      'clients.name',
    ])
    .where('services.id', '=', serviceId)
    .executeTakeFirst();
  if (!row) throw new JobFailure('permanent', 'SERVICE_NOT_FOUND', `Service ${serviceId} does not exist.`);
  return {
    id: row.id,
    clientId: row.client_id,
    clientEmail: row.email,
    clientName: row.name,
    status: row.status,
    domain: row.domain,
    serverId: row.server_id,
    username: row.panel_username,
    passwordSealed: row.panel_password_sealed,
    productId: row.product_id,
    panelPackage: row.panel_package,
    serverGroup: row.server_group,
    features: parseFeatures(row.features),
    billingCycle: row.billing_cycle,
  };
}

/**
 * Connection pools per server, shared by the jobs of one process so each job does not pay a new
 * TLS handshake. Keyed by the row's update time: a changed server (new pin, port, key) gets a
 * fresh pool.
 */
const agents = new Map<string, Agent>();
function agentFor(row: ServerRow): Agent {
  const key = `${row.id}:${row.updated_at_ms}`;
  let agent = agents.get(key);
  if (!agent) {
    for (const [k, old] of agents) {
      if (k.startsWith(`${row.id}:`)) {
        agents.delete(k);
        old.close().catch(() => undefined);
      }
    }
    agent = buildAgent({ trust: tlsOf(row), connectTimeoutMs: 10_000 });
    agents.set(key, agent);
  }
  return agent;
}

/** A panel for the job's server whose every call is recorded in panel_calls with the job's id. */
export async function jobPanel(app: AppContext, serverId: string, jobId: string | null) {
  const row = await app.db.kysely.selectFrom('servers').selectAll().where('id', '=', serverId).executeTakeFirst();
  if (!row) throw new JobFailure('permanent', 'SERVER_NOT_FOUND', `Server ${serverId} no longer exists.`);
  return panelFor(app, row, {
    agent: agentFor(row),
    timeouts: {
      mutationMs: app.config.panelMutationTimeoutMs,
      listMs: Math.min(15_000, app.config.panelMutationTimeoutMs),
    },
    onCall: (call) => {
      app.metrics.recordPanelCall(call);
      app.db.kysely
        .insertInto('panel_calls')
        .values({
          id: newId('log', app.clock.nowMs()),
          job_id: jobId,
          server: call.server,
          command: call.cmd,
          http_status: call.httpStatus,
          exit_code: call.exitCode,
          code: call.code,
          duration_ms: Math.round(call.durationMs),
          correlation_id: call.correlationId,
          at_ms: app.clock.nowMs(),
        })
        .execute()
        .catch((err) => app.logger.warn({ err }, 'recording a panel call failed'));
    },
  });
}

/** Unwraps a panel result, turning a failure into the job's verdict. */
export function must<T>(result: PanelResult<T>, what: string): T {
  if (!result.ok) throw JobFailure.fromPanel(result.error, what);
  return result.value;
}
