// The receiver trusts nothing it does not check: in HMAC mode the event id comes from the signed
// body; only the exact receiver address is served (no other case, slash or method reaches a body
// parser); refusals cost almost no writes and show on the Health tab; the allow-list answers 403
// before any other work; a CRM order id can never carry markup into a note or the order box.
import { createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, closePools, dbPool, rest, site, wpEvalJson } from '../support/stack.ts';
import { configureCrm, createOrders, inboxRows, sendEvent, statusEvent, TEST_SECRET, unique } from '../support/incoming.ts';
import { announceToCrm, refusalTotal, updateSettings } from '../support/trust.ts';
import { launchBrowser, loggedInPage } from '../support/browser.ts';

const receiverPath = '/wp-json/crm-bridge/v1/crm/events';
const sidecarAuth = () => ({ authorization: `Basic ${Buffer.from(`${site().sidecarUser}:${site().sidecarAppPassword}`).toString('base64')}` });

beforeAll(() => configureCrm('http://127.0.0.1:9'));
afterEach(() => updateSettings({ incoming: { signature_mode: 'standard_webhooks', event_id_path: '', allowed_ips: [], trusted_proxies: [], client_ip_header: '' } }));
afterAll(closePools);

describe('HMAC mode takes the event id from the signed body only', () => {
  const hmacPost = (body: string, headers: Record<string, string> = {}) => {
    const signature = 'sha256=' + createHmac('sha256', Buffer.from(TEST_SECRET.slice(6), 'base64')).update(body).digest('hex');
    return fetch(`${site().url}${receiverPath}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-crm-signature': signature, ...headers }, body });
  };

  it('one captured request replayed under three new webhook-id headers is accepted once, then duplicates', async () => {
    const id = unique('evt_hmac');
    const body = JSON.stringify({ id, type: 'order.status_changed', data: { crm_order_id: unique('C'), status: 'paid', version: 1 } });
    // Without an event id path, the unsigned header cannot stand in for it: nothing is stored.
    updateSettings({ incoming: { signature_mode: 'hmac', hmac_header: 'X-Crm-Signature', hmac_encoding: 'hex', event_id_path: '' } });
    const forged = [unique('x'), unique('y'), unique('z')];
    for (const webhookId of forged) expect((await hmacPost(body, { 'webhook-id': webhookId })).status).toBe(400);
    for (const webhookId of forged) expect(await inboxRows(webhookId)).toEqual([]);

    updateSettings({ incoming: { event_id_path: 'id' } });
    const answers = [];
    for (const webhookId of [unique('a'), unique('b'), unique('c'), unique('d')]) answers.push(await hmacPost(body, { 'webhook-id': webhookId }));
    expect(answers.map((r) => r.status)).toEqual([202, 200, 200, 200]);
    expect(await Promise.all(answers.map(async (r) => ((await r.json()) as { event_id: string }).event_id))).toEqual([id, id, id, id]);
    expect(await inboxRows(id)).toHaveLength(1);
  });

  it('refuses every event, naming the setting, when no event id path is configured', async () => {
    updateSettings({ incoming: { signature_mode: 'hmac', hmac_header: 'X-Crm-Signature', hmac_encoding: 'hex', event_id_path: '' } });
    const webhookId = unique('evt_unsigned');
    const res = await hmacPost(JSON.stringify({ type: 'order.status_changed', data: { crm_order_id: unique('C'), status: 'paid', version: 1 } }), { 'webhook-id': webhookId });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('event_id_path_required');
    expect(body.message).toContain('incoming.event_id_path');
    expect(await inboxRows(webhookId)).toEqual([]);
  });

  it('Standard Webhooks mode keeps the signed webhook-id', async () => {
    const id = unique('evt_std');
    expect((await sendEvent({ id, body: statusEvent(unique('C'), 'paid', 1) })).status).toBe(202);
    expect(await inboxRows(id)).toHaveLength(1);
  });
});

describe('only the exact receiver address is served', () => {
  const url = (path: string) => `${site().url}${path}`;
  /** Every other way WordPress would route to the receiver: [name, path, method, extra headers]. */
  const variants: [string, string, string, Record<string, string>][] = [
    ['another case', '/wp-json/CRM-Bridge/v1/CRM/Events', 'POST', {}],
    ['a trailing slash', `${receiverPath}/`, 'POST', {}],
    ['a doubled slash', '/wp-json/crm-bridge//v1/crm/events', 'POST', {}],
    ['a percent-encoded letter', '/wp-json/crm-bridge/v1/crm/%65vents', 'POST', {}],
    ['?rest_route= in another case', '/?rest_route=/crm-bridge/v1/CRM/events', 'POST', {}],
    ['?rest_route= with a trailing slash', '/?rest_route=/crm-bridge/v1/crm/events/', 'POST', {}],
    ['PATCH with X-HTTP-Method-Override: POST', receiverPath, 'PATCH', { 'x-http-method-override': 'POST' }],
    ['POST with X-HTTP-Method-Override', receiverPath, 'POST', { 'x-http-method-override': 'PUT' }],
    ['DELETE with ?_method=POST', `${receiverPath}?_method=POST`, 'DELETE', {}],
    ['PUT', receiverPath, 'PUT', {}],
    // The REST router matches with `$`, which also matches before a final newline.
    ['a trailing newline', `${receiverPath}%0A`, 'POST', {}],
    ['?rest_route= with a trailing newline', '/?rest_route=/crm-bridge/v1/crm/events%0A', 'POST', {}],
    ['an encoded trailing newline', `${receiverPath}%250A`, 'POST', {}],
    ['a trailing carriage return', `${receiverPath}%0D`, 'POST', {}],
    ['?rest_route= with a trailing tab', '/?rest_route=/crm-bridge/v1/crm/events%09', 'POST', {}],
    ['?rest_route= with a trailing slash and newline', '/?rest_route=/crm-bridge/v1/crm/events/%0A', 'POST', {}],
    ['a trailing dot segment', `${receiverPath}/.`, 'POST', {}],
    ['?rest_route= with a dot segment', '/?rest_route=/crm-bridge/v1/./crm/events', 'POST', {}],
  ];

  it.each(variants)('%s: a valid signed event is not accepted', async (_name, path, method, headers) => {
    const id = unique('evt_variant');
    const res = await sendSigned(url(path), method, id, statusEvent(unique('C'), 'paid', 1), headers);
    expect([404, 405]).toContain(res.status);
    expect(await inboxRows(id)).toEqual([]);
  });

  it.each(variants)('%s: a body over the limit is refused before it is read or parsed', async (_name, path, method, headers) => {
    // Not JSON: had WordPress parsed it, the answer would be its rest_invalid_json.
    for (const size of [1024 * 1024, 10 * 1024 * 1024]) {
      const res = await rawFetch(url(path), method, { 'content-type': 'application/json', ...headers }, '{'.repeat(size));
      expect([404, 405, 413], `${size} bytes`).toContain(res.status);
      expect(['early', 'guard']).toContain(res.headers.get('x-crm-bridge-receiver'));
      expect(((await res.json()) as { code: string }).code).toMatch(/^(method_not_allowed|not_the_receiver_url|body_too_large)$/);
    }
  });

  it('a route given in a form field is refused on the way to the REST server', async () => {
    const res = await fetch(url('/'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ rest_route: '/crm-bridge/v1/crm/events' }) });
    expect([404, 405]).toContain(res.status);
    expect(res.headers.get('x-crm-bridge-receiver')).toBe('guard');
  });

  it('the exact address still accepts, also through ?rest_route=', async () => {
    for (const path of [receiverPath, '/?rest_route=/crm-bridge/v1/crm/events']) {
      const id = unique('evt_exact');
      expect((await sendSigned(url(path), 'POST', id, statusEvent(unique('C'), 'paid', 1))).status).toBe(202);
    }
  });
});

describe('refusals are cheap and visible', () => {
  it('a burst of 200 bad signatures costs a handful of writes, and the counters add up on the Health tab', async () => {
    const before = refusalTotal('signature');
    const writes = async () => {
      const [rows] = await dbPool().query(`SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_insert', 'Com_update', 'Com_replace', 'Com_delete', 'Com_insert_select')`);
      return (rows as { Value: string }[]).reduce((n, r) => n + Number(r.Value), 0);
    };
    const start = await writes();
    const startedAt = Date.now();
    const wrong = 'whsec_' + Buffer.from('a forged secret of thirty-two b.').toString('base64');
    for (let i = 0; i < 10; i++) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => sendEvent({ id: unique('evt_burst'), body: statusEvent('C-burst', 'paid', 1), secret: wrong })));
      expect(answers.every((r) => r.status === 401)).toBe(true);
    }
    // Unthrottled, the burst wrote 400 times (a counter and a sample per refusal); now once per class every few seconds
    // (two writes per FLUSH_SECONDS window, which a slow site such as real WooCommerce spreads the burst over).
    const windows = Math.ceil((Date.now() - startedAt) / 5000) + 1;
    expect((await writes()) - start).toBeLessThan(Math.max(20, 2 * windows + 10));
    expect(refusalTotal('signature')).toBe(before + 200);

    const res = await rest('/crm-bridge/v1/admin/health', { session: await adminSession() });
    const health = (await res.json()) as { refusals: { classes: { class: string; count: number }[]; samples: { class: string; message: string }[] } };
    expect(health.refusals.classes.find((c) => c.class === 'signature')?.count).toBe(before + 200);
    expect(health.refusals.samples.length).toBeGreaterThan(0);
    expect(health.refusals.samples.length).toBeLessThanOrEqual(20);
    expect(health.refusals.samples[0]).toMatchObject({ class: 'signature', message: expect.stringContaining('invalid_signature') });
    expect(JSON.stringify(health.refusals)).not.toContain(TEST_SECRET.slice(6, 20));

    // The Health tab shows the counter and the latest refusals.
    const browser = await launchBrowser();
    try {
      const page = await loggedInPage(browser, site());
      await page.goto(`${site().url}/wp-admin/admin.php?page=crm-bridge`);
      const row = page.getByTestId('refusals').getByRole('row', { name: /^signature/ });
      await row.waitFor();
      expect(await row.textContent()).toContain(String(before + 200));
      expect(await page.getByTestId('refusal-samples').getByRole('row').count()).toBeGreaterThan(1);
    } finally {
      await browser.close();
    }
  });
});

describe('refusals never line workers up', () => {
  it('a refusal does not wait while another worker holds the refusal file, and is still counted', async () => {
    const wrong = 'whsec_' + Buffer.from('a forged secret of thirty-two b.').toString('base64');
    const before = refusalTotal('signature');
    const [file] = wpEvalJson<string[]>(`echo wp_json_encode( \\CrmBridge\\Refusals::files() );`);
    // Another worker in the middle of its update: it holds the first file's lock until told to let go.
    const holder = spawn('php', ['-r', `$h = fopen(${JSON.stringify(file)}, 'c+'); flock($h, LOCK_EX); echo "locked\\n"; fgets(STDIN);`], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once('data', () => resolve());
        holder.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
      });
      // With a blocking lock these requests would wait for the holder, which only lets go after them.
      for (let i = 0; i < 5; i++) expect((await sendEvent({ id: unique('evt_locked'), body: statusEvent('C-locked', 'paid', 1), secret: wrong })).status).toBe(401);
    } finally {
      holder.stdin.end();
      await new Promise((resolve) => (holder.exitCode === null ? holder.once('exit', resolve) : resolve(null)));
    }
    expect(refusalTotal('signature')).toBe(before + 5);
  });
});

describe('the receiver allow-list', () => {
  const send = (headers: Record<string, string> = {}) => {
    const id = unique('evt_ip');
    return sendEvent({ id, body: statusEvent(unique('C'), 'paid', 1), headers }).then(async (res) => ({ status: res.status, code: ((await res.json()) as { code?: string }).code, id }));
  };

  it('lets in an allowed client and refuses any other with 403 before reading the body or the signature', async () => {
    updateSettings({ incoming: { allowed_ips: ['10.0.0.0/8', '127.0.0.0/8'] } });
    expect((await send()).status).toBe(202);
    updateSettings({ incoming: { allowed_ips: ['10.0.0.0/8', '2001:db8::/32'] } });
    const refused = await send();
    expect(refused).toMatchObject({ status: 403, code: 'address_not_allowed' });
    expect(await inboxRows(refused.id)).toEqual([]);
    // Before the size limit and the signature: an unsigned 10 MB body gets the same 403.
    const big = await fetch(`${site().url}${receiverPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{'.repeat(10 * 1024 * 1024) });
    expect(big.status).toBe(403);
    // And on every other form of the address.
    const variant = await fetch(`${site().url}/wp-json/CRM-bridge/v1/crm/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(variant.status).toBe(403);
  });

  it('ignores a forwarding header from a client that is not a trusted proxy', async () => {
    updateSettings({ incoming: { allowed_ips: ['203.0.113.0/24'], trusted_proxies: ['192.0.2.1'], client_ip_header: 'X-Forwarded-For' } });
    expect(await send({ 'x-forwarded-for': '203.0.113.5' })).toMatchObject({ status: 403 });
  });

  it('honours a trusted proxy’s header, taking its right-most untrusted address', async () => {
    updateSettings({ incoming: { allowed_ips: ['203.0.113.0/24'], trusted_proxies: ['127.0.0.1', '192.0.2.0/24'], client_ip_header: 'X-Forwarded-For' } });
    expect((await send({ 'x-forwarded-for': '203.0.113.5' })).status).toBe(202);
    expect((await send({ 'x-forwarded-for': '203.0.113.5, 192.0.2.9' })).status).toBe(202);
    // The client forged the left part; the address our proxy saw is the right-most one.
    expect((await send({ 'x-forwarded-for': '203.0.113.5, 198.51.100.7' })).status).toBe(403);
    expect((await send({ 'x-forwarded-for': 'not-an-address' })).status).toBe(403);
  });

  it('the settings accept exactly the entries the receiver understands', async () => {
    const session = await adminSession();
    // [entry, understood by the receiver]
    const entries: [string, boolean][] = [
      ['203.0.113.0/24', true],
      ['2001:db8::/32', true],
      ['198.51.100.7', true],
      ['[2001:db8::1]', true],
      ['[2001:db8::]/48', true],
      ['::ffff:10.0.0.0/104', true],
      ['::ffff:10.0.0.0/95', false],
      ['10.0.0.0/33', false],
      ['2001:db8::/129', false],
      ['10.0.0.0/-1', false],
      ['10.0.0.0/', false],
      ['garbage', false],
    ];
    const results: [string, boolean][] = [];
    for (const [entry] of entries) {
      const res = await rest('/crm-bridge/v1/admin/settings', { method: 'PUT', session, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ settings: { incoming: { allowed_ips: [entry] } } }) });
      results.push([entry, res.status === 200]);
    }
    expect(results).toEqual(entries);
    const understood = wpEvalJson<boolean[]>(`echo wp_json_encode( array_map( fn( $e ) => null !== \\CrmBridge\\ClientAddress::parse_range( $e ), json_decode( ${JSON.stringify(JSON.stringify(entries.map(([e]) => e)))}, true ) ) );`);
    expect(entries.map(([e], i) => [e, understood[i]])).toEqual(entries);
  });

  it('matches CIDR ranges of both families, IPv4-mapped IPv6 as IPv4', () => {
    const cases: [string, string, boolean][] = [
      ['10.1.2.3', '10.0.0.0/8', true],
      ['11.1.2.3', '10.0.0.0/8', false],
      ['192.168.1.255', '192.168.1.0/24', true],
      ['192.168.2.0', '192.168.1.0/24', false],
      ['192.168.1.7', '192.168.1.7', true],
      ['192.168.1.7', '192.168.1.6/31', true],
      ['192.168.1.8', '192.168.1.6/31', false],
      ['1.2.3.4', '0.0.0.0/0', true],
      ['::ffff:10.9.8.7', '10.0.0.0/8', true],
      ['::ffff:127.0.0.1', '127.0.0.1', true],
      ['10.9.8.7', '::ffff:10.0.0.0/104', true],
      ['2001:db8::1', '2001:db8::/32', true],
      ['2001:db9::1', '2001:db8::/32', false],
      ['2001:db8:0:ff::1', '2001:db8:0:fe::/63', true],
      ['2001:db8:0:100::1', '2001:db8:0:fe::/63', false],
      ['[2001:db8::1]', '2001:db8::1/128', true],
      ['10.0.0.1', '2001:db8::/32', false],
      ['2001:db8::1', '10.0.0.0/8', false],
      ['10.0.0.1', '10.0.0.0/33', false],
      ['10.0.0.1', '10.0.0.0/-1', false],
      ['10.0.0.1', 'garbage', false],
      ['not an ip', '0.0.0.0/0', false],
    ];
    const results = wpEvalJson<boolean[]>(`echo wp_json_encode( array_map( fn( $c ) => \\CrmBridge\\ClientAddress::in_range( $c[0], $c[1] ), json_decode( ${JSON.stringify(JSON.stringify(cases))}, true ) ) );`);
    expect(results.map((ok, i) => [cases[i]![0], cases[i]![1], ok])).toEqual(cases);
  });
});

describe('a CRM order id never carries markup', () => {
  const markup = '<a href="https://evil.test/pay">Pay here</a><img src="https://evil.test/x.png">';

  it('refuses an event whose CRM order id holds markup', async () => {
    const id = unique('evt_markup');
    const res = await sendEvent({ id, body: statusEvent(markup, 'paid', 1) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Record<string, string> }).errors).toHaveProperty(['data.crm_order_id']);
    expect(await inboxRows(id)).toEqual([]);
  });

  it('the write and link endpoints refuse it, and a note the sidecar sends is stored as text', async () => {
    const [orderId] = createOrders(['pending']);
    announceToCrm([orderId!]);
    const post = (path: string, body: unknown) => rest(path, { method: 'POST', headers: { 'content-type': 'application/json', ...sidecarAuth() }, body: JSON.stringify(body) });
    expect((await post('/crm-bridge/v1/sidecar/apply', { transitions: [{ event_id: unique('evt'), crm_order_id: markup, order_id: orderId, to_status: 'processing', version: 1 }] })).status).toBe(400);
    expect((await post('/crm-bridge/v1/sidecar/link', { order_id: orderId, crm_order_id: markup })).status).toBe(400);
    const applied = await post('/crm-bridge/v1/sidecar/apply', { transitions: [{ event_id: unique('evt'), crm_order_id: unique('N'), order_id: orderId, to_status: 'processing', version: 1, note: `Status set by the CRM ${markup}` }] });
    expect(((await applied.json()) as { results: { outcome: string }[] }).results[0]!.outcome).toBe('applied');
    const notes = wpEvalJson<string[]>(`echo wp_json_encode( array_map( fn( $n ) => $n->content, wc_get_order_notes( array( 'order_id' => ${orderId} ) ) ) );`);
    const crmNote = notes.find((n) => n.includes('Status set by the CRM'))!;
    expect(crmNote).not.toMatch(/<a |<img /);
    expect(crmNote).toContain('&lt;a href=');
  });
});

async function sendSigned(target: string, method: string, id: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  const { Webhook } = await import('standardwebhooks');
  const ts = new Date();
  const signature = new Webhook(TEST_SECRET.slice(6)).sign(id, ts, body);
  return rawFetch(target, method, { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)), 'webhook-signature': signature, ...headers }, body);
}

/** A request whose path goes out byte for byte: fetch would resolve dot segments such as a trailing `/.`. */
function rawFetch(target: string, method: string, headers: Record<string, string>, body: string): Promise<Response> {
  const { host, pathname } = new URL(target);
  const path = target.slice(target.indexOf(host) + host.length) || pathname;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: new URL(target).hostname, port: new URL(target).port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: Object.entries(res.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)] as [string, string]])) })));
      res.on('error', reject);
    });
    // The server may answer and close before a refused body is sent in full.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end(body);
  });
}

