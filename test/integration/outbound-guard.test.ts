// The guarded outbound client, end to end: a real sidecar refuses private and special addresses at
// delivery time, a DNS answer is checked and pinned per request, a CRM redirect is never followed, a
// huge CRM answer is cut unread, and a rotated secret keeps signing during its grace period.
import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { closePools, dbPool, wpEval } from '../support/stack.ts';
import { configureCrm, sendEvent, statusEvent, unique } from '../support/incoming.ts';
import { sidecarEnv, startSidecar, type RunningSidecar } from '../support/sidecar.ts';
import { waitFor } from '../stack/system.ts';
import { createOutboundClient, type Resolver } from '../../sidecar/src/net/client.ts';
import { AddressRefusedError } from '../../sidecar/src/net/errors.ts';
import { checkAddress } from '../../sidecar/src/net/addressRules.ts';
import { deliver } from '../../sidecar/src/outgoing/deliver.ts';
import { fetchCrmOrder } from '../../sidecar/src/incoming/crm.ts';
import { CircuitBreakers } from '../../sidecar/src/circuitBreaker.ts';
import { systemClock } from '../../sidecar/src/clock.ts';
import type { Settings } from '../../sidecar/src/settings.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Recorder {
  seen: Seen[];
  port: number;
  url: string;
  close(): Promise<void>;
}

const servers: Server[] = [];
const sidecars: RunningSidecar[] = [];

/** An HTTP server on `host` that records every request and answers with `answer`. */
async function recorder(host = '127.0.0.1', port = 0, answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, r) => r.end('{"ok":true}')): Promise<Recorder> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, host, () => resolve()));
  const actual = (server.address() as AddressInfo).port;
  return { seen, port: actual, url: `http://${host}:${actual}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function sidecar(env: Record<string, string>): Promise<RunningSidecar> {
  const sc = await startSidecar(sidecarEnv(undefined, { CRM_BRIDGE_POLL_MS: '50', CRM_BRIDGE_SETTINGS_TTL_MS: '0', ...env }));
  sidecars.push(sc);
  return sc;
}

/**
 * Subscriptions stored with these URLs as they are, as if their DNS changed after the plugin checked
 * them at save time, each with one queued delivery (as the plugin queues an order event). One PHP run.
 */
function subscriptionsWithDelivery(urls: string[]): { id: number; secret: string; webhookId: string }[] {
  return JSON.parse(
    wpEval(
      `global $wpdb; $out = array();
       foreach ( json_decode( ${JSON.stringify(JSON.stringify(urls))}, true ) as $url ) {
         $s = \\CrmBridge\\Subscriptions::create( array( 'name' => 'guard-' . wp_generate_password( 8, false ), 'url' => 'https://example.com/hook', 'topics' => array( 'all' ), 'status_filter' => array(), 'payload_mode' => 'minimal', 'is_crm' => false, 'active' => true, 'rate_limit_per_second' => null ) );
         $wpdb->update( $wpdb->prefix . 'crm_bridge_subscriptions', array( 'url' => $url ), array( 'id' => $s['id'] ) );
         $out[] = array( 'id' => (int) $s['id'], 'secret' => $s['secret'], 'webhookId' => \\CrmBridge\\Outbox::enqueue( (int) $s['id'], 424242, 'order.created', array( 'id' => 424242 ) ) );
       }
       echo wp_json_encode( $out );`,
    ),
  ) as { id: number; secret: string; webhookId: string }[];
}

/** Queues one more delivery for the subscription. */
function queueDelivery(subscriptionId: number): string {
  return wpEval(`echo \\CrmBridge\\Outbox::enqueue( ${subscriptionId}, 424242, 'order.created', array( 'id' => 424242 ) );`).trim();
}

async function outboxRow(webhookId: string): Promise<{ status: string; last_error: string | null; last_status_code: number | null; attempts: number }> {
  const [rows] = await dbPool().query(`SELECT status, last_error, last_status_code, attempts FROM wp_crm_bridge_outbox WHERE webhook_id = ?`, [webhookId]);
  return (rows as { status: string; last_error: string | null; last_status_code: number | null; attempts: number }[])[0]!;
}

afterEach(async () => {
  await Promise.all(sidecars.splice(0).map((s) => s.stop()));
  wpEval(`global $wpdb; $wpdb->query( "UPDATE {$wpdb->prefix}crm_bridge_subscriptions SET active = 0" );`);
});
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await closePools();
});

describe('the outbound guard at delivery time, in a real sidecar', () => {
  it('dead-letters deliveries to every private or special address form with address_refused, reaching nothing', async () => {
    const listening = await recorder('127.0.0.1');
    const p = listening.port;
    const forms = [
      `http://[::ffff:127.0.0.1]:${p}/hook`,
      `http://[::ffff:169.254.169.254]/latest/meta-data/`,
      `http://100.100.100.200/latest/meta-data/`,
      `http://198.18.0.1:${p}/hook`,
      `http://224.0.0.1:${p}/hook`,
      `http://[fec0::1]:${p}/hook`,
      `http://[64:ff9b::7f00:1]:${p}/hook`,
      `http://[2002:7f00:1::1]:${p}/hook`,
      `http://127.0.0.1:${p}/hook`,
      `http://2130706433:${p}/hook`,
      `http://0x7f.1:${p}/hook`,
      `http://localhost:${p}/hook`,
      `http://[::1]:${p}/hook`,
      `http://10.0.0.1:${p}/hook`,
      `http://169.254.169.254/latest/meta-data/`,
    ];
    const queued = subscriptionsWithDelivery(forms).map((sub, i) => ({ url: forms[i]!, webhookId: sub.webhookId }));
    await sidecar({ CRM_BRIDGE_ALLOW_PRIVATE_URLS: '0' });
    await waitFor('every delivery to finish', async () => (await Promise.all(queued.map((q) => outboxRow(q.webhookId)))).every((r) => r.status === 'dead'), 30_000);
    for (const q of queued) {
      const row = await outboxRow(q.webhookId);
      expect({ url: q.url, status: row.status, error: row.last_error?.split(':')[0], attempts: row.attempts }).toEqual({ url: q.url, status: 'dead', error: 'address_refused', attempts: 1 });
    }
    expect(listening.seen).toEqual([]);
  });

  it('stores at most 4 KiB of an endpoint’s answer in the log, with control characters replaced', async () => {
    const hostile = await recorder('127.0.0.1', 0, (_q, r) => {
      r.writeHead(500, { 'content-type': 'text/plain' });
      r.end(`\u001b[2J\u001b]0;owned\u0007\u202Egnp.exe ${'z'.repeat(1_000_000)}`);
    });
    const sub = subscriptionsWithDelivery([`${hostile.url}/hook`])[0]!;
    await sidecar({});
    const logged = async () => {
      const [rows] = await dbPool().query(`SELECT detail FROM wp_crm_bridge_log WHERE direction = 'out' AND subscription_id = ? AND decision IN ('retried', 'dead') ORDER BY id LIMIT 1`, [sub.id]);
      return (rows as { detail: string }[])[0];
    };
    await waitFor('the failed attempt in the log', async () => (await logged()) !== undefined);
    const response = (JSON.parse((await logged())!.detail) as { status_code: number; response: string }).response;
    expect(Buffer.byteLength(response)).toBeLessThanOrEqual(4096);
    expect(response.startsWith('\uFFFD[2J\uFFFD]0;owned\uFFFD\uFFFDgnp.exe zzz')).toBe(true);
    expect(response).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E]/);
  });

  it('signs with both secrets during a rotation’s grace period, and with the new one only after it', async () => {
    const hook = await recorder('127.0.0.1');
    const sub = subscriptionsWithDelivery([`${hook.url}/hook`])[0]!;
    const newSecret = wpEval(`echo \\CrmBridge\\Subscriptions::rotate_secret( ${sub.id}, 3600 );`).trim();
    expect(newSecret).not.toBe(sub.secret);
    await sidecar({});
    const verifies = (secret: string, seen: Seen): boolean => {
      try {
        new Webhook(secret.replace(/^whsec_/, '')).verify(seen.body, seen.headers as Record<string, string>);
        return true;
      } catch {
        return false;
      }
    };

    await waitFor('the delivery in the grace period', async () => hook.seen.length === 1);
    const during = hook.seen[0]!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(newSecret, during)).toBe(true);
    expect(verifies(sub.secret, during)).toBe(true);

    wpEval(`global $wpdb; $wpdb->update( $wpdb->prefix . 'crm_bridge_subscriptions', array( 'previous_secret_expires_at' => gmdate( 'Y-m-d H:i:s', time() - 1 ) ), array( 'id' => ${sub.id} ) );`);
    queueDelivery(sub.id);
    await waitFor('the delivery after the grace period', async () => hook.seen.length === 2);
    const after = hook.seen[1]!;
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifies(newSecret, after)).toBe(true);
    expect(verifies(sub.secret, after)).toBe(false);
  });
});

describe('DNS answers are checked and pinned per request', () => {
  const post = (send: ReturnType<typeof createOutboundClient>, url: string) => deliver(send, url, {}, '{"type":"order.created"}', 2000, new AbortController().signal);

  it('refuses a host whose DNS answer changed to 127.0.0.1 between save and delivery', async () => {
    const target = await recorder('127.0.0.1');
    const answers = ['93.184.215.14', '127.0.0.1'];
    const calls: string[] = [];
    const resolve: Resolver = async (host) => {
      calls.push(host);
      return [{ address: answers.shift()!, family: 4 }];
    };
    // Save time: the name resolves to a public address, so a check then passes.
    const atSave = (await resolve('hooks.rebind.test'))[0]!.address;
    expect(checkAddress(atSave, false)).toEqual({ allowed: true });
    // Delivery time: the same name now points at loopback.
    const send = createOutboundClient({ allowPrivate: false, resolve });
    const refused = await post(send, `http://hooks.rebind.test:${target.port}/hook`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AddressRefusedError);
    expect(refused).toMatchObject({ code: 'address_refused', errorClass: 'permanent', context: { host: 'hooks.rebind.test', address: '127.0.0.1' } });
    expect(calls).toEqual(['hooks.rebind.test', 'hooks.rebind.test']);
    expect(target.seen).toEqual([]);
  });

  it('refuses a host when any one of its addresses is private', async () => {
    const target = await recorder('127.0.0.1');
    const send = createOutboundClient({
      allowPrivate: false,
      resolve: async () => [
        { address: '93.184.215.14', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
    });
    await expect(post(send, `http://mixed.test:${target.port}/hook`)).rejects.toMatchObject({ code: 'address_refused', context: { address: '127.0.0.1' } });
    expect(target.seen).toEqual([]);
  });

  it('with private addresses allowed, connects to exactly the one address resolved, once, keeping the host name', async () => {
    const first = await recorder('127.0.0.1');
    const second = await recorder('127.0.0.2', first.port);
    const answers = ['127.0.0.1', '127.0.0.2'];
    let calls = 0;
    const send = createOutboundClient({
      allowPrivate: true,
      resolve: async () => {
        calls++;
        return [{ address: answers.shift()!, family: 4 }];
      },
    });
    const res = await post(send, `http://hooks.pinned.test:${first.port}/hook`);
    expect(res.status).toBe(200);
    expect(calls).toBe(1);
    expect(first.seen).toHaveLength(1);
    expect(first.seen[0]!.headers.host).toBe(`hooks.pinned.test:${first.port}`);
    expect(second.seen).toEqual([]);
  });

  it('a delivery answered with a redirect records the 3xx and never follows it', async () => {
    const target = await recorder('127.0.0.1');
    const redirecting = await recorder('127.0.0.1', 0, (_q, r) => {
      r.writeHead(307, { location: `${target.url}/internal` });
      r.end();
    });
    const send = createOutboundClient({ allowPrivate: true });
    const res = await post(send, `${redirecting.url}/hook`);
    expect(res.status).toBe(307);
    expect(redirecting.seen).toHaveLength(1);
    expect(target.seen).toEqual([]);
  });

  it('names the failing step of each failure kind, with its class', async () => {
    const silent = await recorder('127.0.0.1', 0, () => undefined);
    const closed = await recorder('127.0.0.1');
    await closed.close();
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND hooks.gone.test'), { code: 'ENOTFOUND' });
    const send = createOutboundClient({
      allowPrivate: true,
      resolve: async (host) => {
        if (host === 'hooks.gone.test') throw notFound;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    const attempt = (url: string, timeoutMs = 2000) => deliver(send, url, {}, '{}', timeoutMs, new AbortController().signal).catch((e: unknown) => e);
    expect(await attempt(`http://hooks.gone.test:${closed.port}/hook`)).toMatchObject({ code: 'endpoint_dns_failed', errorClass: 'transient', context: { step: 'resolve' } });
    expect(await attempt(`http://hooks.local.test:${closed.port}/hook`)).toMatchObject({ code: 'endpoint_unreachable', errorClass: 'transient', context: { step: 'connect', address: '127.0.0.1' } });
    expect(await attempt(`https://hooks.local.test:${silent.port}/hook`, 300)).toMatchObject({ errorClass: 'transient' });
    expect(await attempt(`http://hooks.local.test:${silent.port}/hook`, 300)).toMatchObject({ code: 'endpoint_timeout', errorClass: 'transient', context: { step: 'wait for answer' } });
    const plain = await recorder('127.0.0.1', 0, (_q, r) => r.end('not TLS'));
    expect(await attempt(`https://hooks.local.test:${plain.port}/hook`)).toMatchObject({ code: 'endpoint_tls_failed', errorClass: 'transient', context: { step: 'tls' } });
  });

  it('keeps at most 4 KiB of a delivery answer', async () => {
    const chatty = await recorder('127.0.0.1', 0, (_q, r) => r.end('y'.repeat(1_000_000)));
    const res = await post(createOutboundClient({ allowPrivate: true }), `${chatty.url}/hook`);
    expect(res.status).toBe(200);
    expect(res.body).toBe('y'.repeat(4096));
  });
});

const crmSettings = (baseUrl: string): Settings => ({
  incoming: { paths: { type: 'type', crm_order_id: 'data.crm_order_id', status: 'data.status', version: 'data.version', updated_at: 'data.updated_at' } },
  crm: {
    base_url: baseUrl,
    auth_mode: 'bearer',
    auth_header: '',
    basic_user: '',
    order_url_template: '/orders/{crm_order_id}',
    version_source: 'version',
    timeout_ms: 5000,
    paths: { status: 'status', version: 'version', updated_at: 'updated_at', woo_order_id: 'woo_order_id' },
  },
  outgoing: { crm_order_id_path: 'id', timeout_ms: 1000, max_attempts: 3, base_delay_ms: 10, max_delay_ms: 100, disable_after_hours: 72 },
  mapping: {},
  retry: { max_attempts: 3, base_delay_ms: 10, max_delay_ms: 100 },
  retention_days: 30,
  concurrency: 4,
});

describe('the CRM API through the guarded client', () => {
  it('a redirect to 127.0.0.1 is an error naming the Location, and the target is never requested', async () => {
    const secret = await recorder('127.0.0.1');
    const crm = await recorder('127.0.0.1', 0, (_q, r) => {
      r.writeHead(302, { location: `http://127.0.0.1:${secret.port}/secret` });
      r.end();
    });
    const send = createOutboundClient({ allowPrivate: true });
    const failure = await fetchCrmOrder(send, new CircuitBreakers(systemClock), crmSettings(crm.url), { token: 't' }, 'C-1', new AbortController().signal).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'crm_redirect', errorClass: 'permanent', context: { status: 302, location: `http://127.0.0.1:${secret.port}/secret` } });
    expect((failure as Error).message).toContain(`http://127.0.0.1:${secret.port}/secret`);
    expect(crm.seen).toHaveLength(1);
    expect(secret.seen).toEqual([]);
  });

  it('a 300 MB CRM answer fails as too large and leaves the sidecar process under 200 MB RSS', async () => {
    let sent = 0;
    let requests = 0;
    // Streams 300 MB in 64 KiB chunks, chunked (no Content-Length), honouring back-pressure: the
    // test never holds the answer in memory.
    const huge = await recorder('127.0.0.1', 0, (_q, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      res.write('{"status":"paid","version":1,"padding":"');
      const pump = (): void => {
        while (sent < 300 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('"}');
      };
      res.on('error', () => undefined);
      pump();
    });
    configureCrm(huge.url, { retry: { max_attempts: 1, base_delay_ms: 50, max_delay_ms: 500 } });
    const sc = await sidecar({ CRM_BRIDGE_ALLOW_PRIVATE_URLS: '1' });
    const crmOrderId = unique('HUGE');
    const eventId = `evt_${crmOrderId}`;
    expect((await sendEvent({ id: eventId, body: statusEvent(crmOrderId, 'paid', 1) })).status).toBe(202);
    await waitFor('the event to be dead-lettered', async () => {
      const [rows] = await dbPool().query(`SELECT status FROM wp_crm_bridge_inbox WHERE event_id = ?`, [eventId]);
      return (rows as { status: string }[])[0]?.status === 'dead';
    });
    const [rows] = await dbPool().query(`SELECT last_error FROM wp_crm_bridge_inbox WHERE event_id = ?`, [eventId]);
    expect((rows as { last_error: string }[])[0]!.last_error).toMatch(/^crm_response_too_large/);
    const status = readFileSync(`/proc/${sc.process.pid}/status`, 'utf8');
    const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]);
    expect(requests).toBe(1);
    expect(sent).toBeLessThan(300 * 1024 * 1024);
    expect(peakKb).toBeLessThan(200 * 1024);
  });
});
