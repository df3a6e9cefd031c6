// The sidecar's own HTTP surface: /healthz (the process runs), /readyz (database reachable, schema
// known, and warnings such as excess database privileges) and /metrics (Prometheus text).
import express from 'express';
import type { Server } from 'node:http';
import type { Metrics } from '../metrics.js';

export interface ReadinessReport {
  /** A generic reason when not ready (details belong in the log), or null when ready. */
  reason: string | null;
  /** Conditions that do not stop the sidecar but need an operator's attention. */
  warnings: string[];
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
}

export function createApp(metrics: Metrics, readiness: Readiness, version: string): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version });
  });
  app.get('/readyz', async (_req, res) => {
    const { reason, warnings } = await readiness.check();
    metrics.ready.set(reason === null ? 1 : 0);
    if (reason === null) res.json({ status: 'ready', warnings });
    else res.status(503).json({ status: 'not_ready', reason, warnings });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use((_req, res) => {
    res.status(404).json({ code: 'not_found', message: 'no such endpoint' });
  });
  return app;
}

/** Listens; resolves once bound. */
export function listen(app: express.Express, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
    server.once('error', reject);
  });
}
