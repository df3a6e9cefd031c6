// The sidecar's own HTTP surface: /healthz (the process runs), /readyz (database reachable, schema
// known) and /metrics (Prometheus text).
import express from 'express';
import type { Server } from 'node:http';
import type { Metrics } from '../metrics.js';

export interface Readiness {
  /** Resolves with a reason when not ready, or null when ready. */
  check(): Promise<string | null>;
}

export function createApp(metrics: Metrics, readiness: Readiness, version: string): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version });
  });
  app.get('/readyz', async (_req, res) => {
    const reason = await readiness.check();
    metrics.ready.set(reason === null ? 1 : 0);
    if (reason === null) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'not_ready', reason });
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
