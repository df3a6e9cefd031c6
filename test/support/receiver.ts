// A webhook receiver for tests: records every request, verifies it with the independent
// standardwebhooks implementation, and answers as scripted (status codes, delays).
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  body: { type: string; timestamp: string; data: { order: Record<string, unknown> } };
  verified: boolean;
  at: number;
}

export interface TestReceiver {
  url: string;
  received: Received[];
  /** Status codes to answer with, in turn; 200 once they run out. */
  script: number[];
  /** When set, only messages of this type take their answer from the script; any other gets 200. */
  scriptType: string | null;
  delayMs: number;
  /** JSON to answer 2xx with. */
  answer: unknown;
  secret: string;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<TestReceiver> {
  const app = express();
  app.use(express.text({ type: '*/*' }));
  const r: TestReceiver = { url: '', received: [], script: [], scriptType: null, delayMs: 0, answer: { ok: true }, secret: '', close: async () => {} };
  app.post('/hook', async (req, res) => {
    const raw = String(req.body);
    let verified = false;
    try {
      new Webhook(r.secret.replace(/^whsec_/, '')).verify(raw, req.headers as Record<string, string>);
      verified = true;
    } catch {
      verified = false;
    }
    const message: Received = { id: String(req.get('webhook-id')), body: JSON.parse(raw), verified, at: Date.now() };
    r.received.push(message);
    if (r.delayMs) await new Promise((d) => setTimeout(d, r.delayMs));
    const status = (r.scriptType === null || message.body.type === r.scriptType ? r.script.shift() : undefined) ?? 200;
    res.status(status).json(status < 300 ? r.answer : { error: 'scripted' });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  r.close = () => new Promise((resolve) => server.close(() => resolve()));
  return r;
}
