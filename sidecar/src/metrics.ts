// Prometheus metrics of this process, served on /metrics.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'crm_bridge_sidecar_' });
  return {
    registry,
    ready: new Gauge({ name: 'crm_bridge_ready', help: '1 when the database is reachable and its schema is known', registers: [registry] }),
    heartbeats: new Counter({ name: 'crm_bridge_heartbeats_total', help: 'Heartbeat rows written', registers: [registry] }),
    decisions: new Counter({ name: 'crm_bridge_decisions_total', help: 'Sync log decisions by direction and decision', labelNames: ['direction', 'decision'] as const, registers: [registry] }),
    concurrencyLimit: new Gauge({ name: 'crm_bridge_concurrency_limit', help: 'Jobs a queue worker may have in flight now, as its adaptive limit sizes it (at most the concurrency setting)', labelNames: ['queue'] as const, registers: [registry] }),
    heartbeatFailures: new Counter({ name: 'crm_bridge_heartbeat_failures_total', help: 'Heartbeats that could not be written', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
