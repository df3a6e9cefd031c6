// Load generator for the receiver, run as its own process so its work does not share the bench's event
// loop. Two modes, both printing the latencies as JSON:
//   open <url> <secret> <rate> <seconds>: signed events at a fixed rate (a slow answer does not slow the sending);
//   closed <url> <secret> <clients> <seconds> <id-prefix>: N clients, each sending its next event when the last one answered.
// The legacy form without a mode word is the open loop. Every event id is unique.
import { Webhook } from 'standardwebhooks';

const args = process.argv.slice(2);
const mode = args[0] === 'open' || args[0] === 'closed' ? args.shift()! : 'open';
const [url, secret, countArg, secondsArg, prefixArg] = args;
const seconds = Number(secondsArg);
const wh = new Webhook(secret!.replace(/^whsec_/, ''));
const latencies: number[] = [];
let errors = 0;
const runId = prefixArg ?? `${Date.now().toString(36)}-${countArg}`;

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

const start = performance.now();
let sent = 0;
if (mode === 'open') {
  const rate = Number(countArg);
  const pending: Promise<void>[] = [];
  sent = Math.round(rate * seconds);
  for (let i = 0; i < sent; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(one(i));
  }
  await Promise.all(pending);
} else {
  const end = start + seconds * 1000;
  const client = async (): Promise<void> => {
    while (performance.now() < end) await one(sent++);
  };
  await Promise.all(Array.from({ length: Number(countArg) }, client));
}
const elapsed = (performance.now() - start) / 1000;
process.stdout.write(JSON.stringify({ sent, errors, elapsed, latencies }) + '\n');
