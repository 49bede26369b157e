import type { Kysely } from 'kysely';
import { type ProductFeatures, parseFeatures } from '../catalog/catalog.js';
import { insertPanelCall } from '../jobs/store.js';
import { type JobDeps, JobFailure } from '../jobs/types.js';
import type { PanelResult } from '../panel/adapter.js';
import type { BillingCycle, Database } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { sharedAgentFor } from '../servers/pool.js';
import { panelFor } from '../servers/servers.js';
import { findServerById } from '../servers/store.js';
import { findServiceForProvisioning } from '../services/store.js';

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
  const row = await findServiceForProvisioning(db, serviceId);
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

/** What opening a panel for a job (or a client's read) needs: the queue's dependencies. */
export type PanelDeps = JobDeps;

/**
 * A panel for the job's server whose every call is recorded in panel_calls with the job's id,
 * over the process's shared connection pool for that server.
 */
export async function jobPanel(deps: PanelDeps, serverId: string, jobId: string | null) {
  const row = await findServerById(deps.db.kysely, serverId);
  if (!row) throw new JobFailure('permanent', 'SERVER_NOT_FOUND', `Server ${serverId} no longer exists.`);
  return panelFor(deps, row, {
    agent: sharedAgentFor(row),
    timeouts: {
      mutationMs: deps.config.panelMutationTimeoutMs,
      listMs: Math.min(15_000, deps.config.panelMutationTimeoutMs),
    },
    onCall: (call) => {
      deps.metrics.recordPanelCall(call);
      insertPanelCall(deps.db.kysely, {
        id: newId('log', deps.clock.nowMs()),
        job_id: jobId,
        server: call.server,
        command: call.cmd,
        http_status: call.httpStatus,
        exit_code: call.exitCode,
        code: call.code,
        duration_ms: Math.round(call.durationMs),
        correlation_id: call.correlationId,
        at_ms: deps.clock.nowMs(),
      }).catch((err) => deps.logger.warn({ err }, 'recording a panel call failed'));
    },
  });
}

/** Unwraps a panel result, turning a failure into the job's verdict. */
export function must<T>(result: PanelResult<T>, what: string): T {
  if (!result.ok) throw JobFailure.fromPanel(result.error, what);
  return result.value;
}
