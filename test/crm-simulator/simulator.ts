// The CRM simulator: a small CRM with an orders API (what the sidecar verifies against) that sends
// signed status webhooks to the plugin's receiver. Knobs make it slow, flaky, rate-limited, and make
// its webhooks arrive twice, late or out of order, as real CRMs do.
import express, { type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { randomBytes } from 'node:crypto';

export interface CrmOrderRecord {
  crm_order_id: string;
  status: string;
  version: number;
  updated_at: string;
  woo_order_id: number | null;
}

export const knobsSchema = z.object({
  /** Added to every orders API answer. */
  latencyMs: z.number().int().min(0).default(0),
  /** Share of orders API calls answered 500. */
  errorRate: z.number().min(0).max(1).default(0),
  /** Share of orders API calls answered 429 with Retry-After. */
  rateLimitRate: z.number().min(0).max(1).default(0),
  retryAfterSeconds: z.number().int().min(0).default(1),
  /** The next N orders API calls answer 500, then it recovers. */
  failNext: z.number().int().min(0).default(0),
  /** Orders whose API calls all answer 500 (one broken record in the CRM). */
  failOrderIds: z.array(z.string()).default([]),
  /** Each webhook is sent this many times (same webhook-id). */
  duplicates: z.number().int().min(1).default(1),
  /** Webhooks are held until this many are queued, then sent in random order. */
  reorderWindow: z.number().int().min(1).default(1),
  /** Each webhook waits this long before it is sent. */
  webhookDelayMs: z.number().int().min(0).default(0),
  /** A webhook the shop did not answer with 2xx is sent again this many times, as CRMs retry. */
  webhookRetries: z.number().int().min(0).default(0),
  webhookRetryDelayMs: z.number().int().min(0).default(500),
  /** Webhooks from the shop: share answered 500, share answered 429 with Retry-After, added latency. */
  inboundErrorRate: z.number().min(0).max(1).default(0),
  inboundRateLimitRate: z.number().min(0).max(1).default(0),
  inboundLatencyMs: z.number().int().min(0).default(0),
});
export type Knobs = z.infer<typeof knobsSchema>;

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface CrmSimulator {
  url: string;
  orders: Map<string, CrmOrderRecord>;
  knobs: Knobs;
  /** Orders API calls answered, by outcome. */
  calls: { ok: number; failed: number; rateLimited: number; notFound: number };
  webhooksSent: { id: string; status: number }[];
  /** Webhooks the CRM received from the shop (order.created and friends), with their verification. */
  webhooksReceived: { id: string; type: string; orderId: number | null; verified: boolean; at: string; status?: string | null; duplicate?: boolean }[];
  /** Webhooks from the shop answered 500 or 429 by the knobs. */
  inboundRefused: number;
  /** The secret of the shop's subscription for this CRM, to verify what it sends. */
  inboundSecret: string | null;
  setKnobs(knobs: Partial<Knobs>): void;
  setTarget(target: WebhookTarget | null): void;
  /** Changes an order's status (version + 1) and sends the webhook(s) unless told not to; resolves when sent. */
  changeStatus(crmOrderId: string, status: string, wooOrderId?: number | null, opts?: { send?: boolean }): Promise<CrmOrderRecord>;
  /** Sends whatever the reorder window still holds. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startCrmSimulator(opts: { port?: number; token?: string; knobs?: Partial<Knobs>; random?: () => number } = {}): Promise<CrmSimulator> {
  const random = opts.random ?? Math.random;
  const app = express();
  app.use(['/orders', '/admin'], express.json({ limit: '1mb' }));
  let target: WebhookTarget | null = null;
  let held: { id: string; body: string }[] = [];
  const seenWebhookIds = new Set<string>();

  // CRM order ids never repeat across simulator runs: a shop keeps its links, and a link is never moved.
  const instance = randomBytes(3).toString('hex').toUpperCase();
  // A fresh copy each time: failNext counts down in place.
  const initialKnobs = (): Knobs => knobsSchema.parse(opts.knobs ?? {});
  const sim: CrmSimulator = {
    url: '',
    orders: new Map(),
    knobs: initialKnobs(),
    calls: { ok: 0, failed: 0, rateLimited: 0, notFound: 0 },
    webhooksSent: [],
    webhooksReceived: [],
    inboundRefused: 0,
    inboundSecret: null,
    setKnobs(k) {
      sim.knobs = knobsSchema.parse({ ...sim.knobs, ...k });
    },
    setTarget(t) {
      target = t;
    },
    async changeStatus(crmOrderId, status, wooOrderId, opts) {
      const prev = sim.orders.get(crmOrderId);
      const record: CrmOrderRecord = {
        crm_order_id: crmOrderId,
        status,
        version: (prev?.version ?? 0) + 1,
        updated_at: new Date().toISOString(),
        woo_order_id: wooOrderId ?? prev?.woo_order_id ?? null,
      };
      sim.orders.set(crmOrderId, record);
      // A change whose webhook is lost on the way: the drift `crm-bridge reconcile` repairs.
      if (opts?.send === false) return record;
      const body = JSON.stringify({ type: 'order.status_changed', data: { crm_order_id: crmOrderId, status, version: record.version, updated_at: record.updated_at } });
      held.push({ id: `evt_${crmOrderId}_v${record.version}`, body });
      if (held.length >= sim.knobs.reorderWindow) await sim.flush();
      return record;
    },
    async flush() {
      const batch = held;
      held = [];
      for (let i = batch.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [batch[i], batch[j]] = [batch[j]!, batch[i]!];
      }
      for (const msg of batch) {
        if (sim.knobs.webhookDelayMs > 0) await new Promise((r) => setTimeout(r, sim.knobs.webhookDelayMs));
        await Promise.all(Array.from({ length: sim.knobs.duplicates }, () => send(msg.id, msg.body)));
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  async function send(id: string, body: string): Promise<void> {
    for (let attempt = 0; target; attempt++) {
      // Signed at each attempt, with the secret of the moment, as a CRM's retry does.
      const ts = new Date();
      const signature = new Webhook(target.secret.replace(/^whsec_/, '')).sign(id, ts, body);
      let status = 0;
      try {
        const res = await fetch(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)), 'webhook-signature': signature },
          body,
        });
        await res.text();
        status = res.status;
      } catch {
        status = 0;
      }
      sim.webhooksSent.push({ id, status });
      if ((status >= 200 && status < 300) || attempt >= sim.knobs.webhookRetries) return;
      await new Promise((r) => setTimeout(r, sim.knobs.webhookRetryDelayMs));
    }
  }

  const authorized = (req: Request): boolean => !opts.token || req.get('authorization') === `Bearer ${opts.token}`;

  app.get('/orders/:id', async (req: Request, res: Response) => {
    if (!authorized(req)) return void res.status(401).json({ error: 'unauthorized' });
    if (sim.knobs.latencyMs > 0) await new Promise((r) => setTimeout(r, sim.knobs.latencyMs));
    if (sim.knobs.failNext > 0) {
      sim.knobs.failNext--;
      sim.calls.failed++;
      return void res.status(500).json({ error: 'simulated failure' });
    }
    if (random() < sim.knobs.errorRate || sim.knobs.failOrderIds.includes(String(req.params.id))) {
      sim.calls.failed++;
      return void res.status(500).json({ error: 'simulated failure' });
    }
    if (random() < sim.knobs.rateLimitRate) {
      sim.calls.rateLimited++;
      return void res.status(429).set('retry-after', String(sim.knobs.retryAfterSeconds)).json({ error: 'slow down' });
    }
    const order = sim.orders.get(String(req.params.id));
    if (!order) {
      sim.calls.notFound++;
      return void res.status(404).json({ error: 'no such order' });
    }
    sim.calls.ok++;
    res.json(order);
  });

  // Webhooks from the shop: verified, recorded, and each new order becomes a CRM order whose id is
  // the answer (which the shop links to its order).
  app.post('/webhooks', express.text({ type: '*/*' }), async (req: Request, res: Response) => {
    if (sim.knobs.inboundLatencyMs > 0) await new Promise((r) => setTimeout(r, sim.knobs.inboundLatencyMs));
    if (random() < sim.knobs.inboundErrorRate) {
      sim.inboundRefused++;
      return void res.status(500).json({ error: 'simulated failure' });
    }
    if (random() < sim.knobs.inboundRateLimitRate) {
      sim.inboundRefused++;
      return void res.status(429).set('retry-after', String(sim.knobs.retryAfterSeconds)).json({ error: 'slow down' });
    }
    const raw = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    let verified = false;
    try {
      if (sim.inboundSecret) {
        new Webhook(sim.inboundSecret.replace(/^whsec_/, '')).verify(raw, req.headers as Record<string, string>);
        verified = true;
      }
    } catch {
      verified = false;
    }
    if (!verified) return void res.status(401).json({ error: 'bad signature' });
    const msg = JSON.parse(raw) as { type: string; data?: { order?: { id?: number; status?: string } } };
    const orderId = msg.data?.order?.id ?? null;
    const webhookId = String(req.get('webhook-id'));
    // A redelivery (same webhook-id) is acknowledged and recorded, and changes nothing twice.
    const duplicate = seenWebhookIds.has(webhookId);
    seenWebhookIds.add(webhookId);
    sim.webhooksReceived.push({ id: webhookId, type: msg.type, orderId, verified, at: new Date().toISOString(), status: msg.data?.order?.status ?? null, duplicate });
    if (msg.type === 'order.created' && orderId) {
      const existing = [...sim.orders.values()].find((o) => o.woo_order_id === orderId);
      const crmOrderId = existing?.crm_order_id ?? `CRM-${instance}-${2000 + sim.orders.size}`;
      if (!existing) sim.orders.set(crmOrderId, { crm_order_id: crmOrderId, status: msg.data?.order?.status ?? 'pending', version: 0, updated_at: new Date().toISOString(), woo_order_id: orderId });
      // Like most CRMs, the answer is the record as created: its id and its version.
      return void res.json({ id: crmOrderId, version: sim.orders.get(crmOrderId)!.version });
    }
    res.json({ ok: true });
  });
  // ?order_id=<id>: only the webhooks about that shop order.
  app.get('/admin/webhooks', (req, res) => {
    const orderId = z.coerce.number().int().positive().optional().safeParse(req.query.order_id);
    if (!orderId.success) return void res.status(400).json({ error: 'order_id must be a positive whole number' });
    res.json(orderId.data === undefined ? sim.webhooksReceived : sim.webhooksReceived.filter((w) => w.orderId === orderId.data));
  });

  // Control API, for the demo and for manual testing.
  app.get('/admin/orders', (_req, res) => void res.json([...sim.orders.values()]));
  app.put('/admin/orders/:id', async (req, res) => {
    const parsed = z.object({ status: z.string().min(1), woo_order_id: z.number().int().positive().nullish(), send_webhook: z.boolean().default(true) }).safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
    res.json(await sim.changeStatus(String(req.params.id), parsed.data.status, parsed.data.woo_order_id, { send: parsed.data.send_webhook }));
  });
  app.get('/admin/knobs', (_req, res) => void res.json(sim.knobs));
  app.post('/admin/knobs', (req, res) => {
    const parsed = knobsSchema.partial().safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
    sim.setKnobs(parsed.data);
    res.json(sim.knobs);
  });
  // Back to the knobs the simulator started with: a well-behaved CRM again.
  app.delete('/admin/knobs', (_req, res) => {
    sim.knobs = initialKnobs();
    res.json(sim.knobs);
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(opts.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  sim.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sim;
}
