import type { Agent } from 'undici';
import { buildAgent } from '../hestia/tls.js';
import { tlsOf } from './servers.js';
import type { ServerRow } from './store.js';

/**
 * Connection pools per server, shared by the jobs of one process so each job does not pay a new
 * TLS handshake. Keyed by the row's update time: a changed server (new pin, port, key) gets a
 * fresh pool, and the old one is closed.
 */
const agents = new Map<string, Agent>();

export function sharedAgentFor(row: ServerRow): Agent {
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
