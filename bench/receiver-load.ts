// Load generator for the receiver, run as its own process: sends signed events at a fixed rate
// (open loop: a slow answer does not slow the sending) and prints the latencies as JSON.
import { Webhook } from 'standardwebhooks';

const [url, secret, rateArg, secondsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const wh = new Webhook(secret!.replace(/^whsec_/, ''));
const latencies: number[] = [];
let errors = 0;
const pending: Promise<void>[] = [];
const runId = `${Date.now().toString(36)}-${rate}`;

async function one(i: number): Promise<void> {
  const id = `bench-${runId}-${i}`;
  const body = JSON.stringify({ type: 'order.status_changed', data: { crm_order_id: `LOAD-${i % 500}`, status: 'paid', version: i } });
  const ts = new Date();
  const started = performance.now();
  try {
    const res = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)), 'webhook-signature': wh.sign(id, ts, body) },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await res.text();
    if (res.status !== 202) errors++;
  } catch {
    errors++;
  }
  latencies.push(performance.now() - started);
}

const total = Math.round(rate * seconds);
const start = performance.now();
for (let i = 0; i < total; i++) {
  const due = start + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  pending.push(one(i));
}
await Promise.all(pending);
const elapsed = (performance.now() - start) / 1000;
process.stdout.write(JSON.stringify({ sent: total, errors, elapsed, latencies }) + '\n');
