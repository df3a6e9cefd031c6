import { describe, expect, it } from 'vitest';
import { CRM_MAX_BODY_BYTES, fetchCrmOrder, orderUrl } from '../../sidecar/src/incoming/crm.ts';
import { parseRetryAfter, retryAfterDelay } from '../../sidecar/src/net/retryAfter.ts';
import type { OutboundRequest, OutboundSend } from '../../sidecar/src/net/client.ts';
import { ConnectError } from '../../sidecar/src/net/errors.ts';
import { CircuitBreakers } from '../../sidecar/src/circuitBreaker.ts';
import { systemClock } from '../../sidecar/src/clock.ts';
import type { Settings } from '../../sidecar/src/settings.ts';

const settings = {
  incoming: { paths: { type: 'type', crm_order_id: 'data.crm_order_id', status: 'data.status', version: 'data.version', updated_at: 'data.updated_at' } },
  crm: {
    base_url: 'https://crm.test/api/',
    auth_mode: 'header',
    auth_header: 'X-Api-Key',
    basic_user: '',
    order_url_template: '/v2/orders/{crm_order_id}?expand=1',
    version_source: 'version',
    timeout_ms: 1000,
    paths: { status: 'order.state', version: 'order.rev', updated_at: 'order.updated', woo_order_id: 'order.external.woo' },
  },
  outgoing: { crm_order_id_path: 'id', timeout_ms: 1000, max_attempts: 3, base_delay_ms: 10, max_delay_ms: 100, disable_after_hours: 72 },
  mapping: {},
  retry: { max_attempts: 3, base_delay_ms: 10, max_delay_ms: 100 },
  retention_days: 30,
  concurrency: 4,
} satisfies Settings;

function answering(status: number, body: unknown, headers: Record<string, string> = {}): OutboundSend & { seen: OutboundRequest[] } {
  const seen: OutboundRequest[] = [];
  const fn = (async (req: OutboundRequest) => {
    seen.push(req);
    return { status, headers: { get: (n: string) => headers[n.toLowerCase()] ?? null }, body: typeof body === 'string' ? body : JSON.stringify(body), truncated: false, address: '192.0.2.1' };
  }) as OutboundSend & { seen: OutboundRequest[] };
  fn.seen = seen;
  return fn;
}

const run = (fetchFn: OutboundSend, s: Settings = settings) => fetchCrmOrder(fetchFn, new CircuitBreakers(systemClock), s, { token: 'k3y' }, 'A/1 b', new AbortController().signal);

describe('CRM connector', () => {
  it('builds the URL from the template, authenticates as configured and reads the JSON paths', async () => {
    const fetchFn = answering(200, { order: { state: 'paid', rev: 7, external: { woo: '123' } } });
    await expect(run(fetchFn)).resolves.toEqual({ status: 'paid', version: 7, wooOrderId: 123 });
    expect(fetchFn.seen[0]).toMatchObject({ url: 'https://crm.test/api/v2/orders/A%2F1%20b?expand=1', headers: { 'x-api-key': 'k3y' } });
  });

  it('asks the guarded client for a bounded CRM answer and refuses redirects', async () => {
    const fetchFn = answering(200, { order: { state: 'paid', rev: 7 } });
    await run(fetchFn);
    expect(fetchFn.seen[0]).toMatchObject({ target: 'crm', method: 'GET', maxBodyBytes: CRM_MAX_BODY_BYTES, overLimit: 'fail', redirects: 'refuse', timeoutMs: 1000 });
    expect(CRM_MAX_BODY_BYTES).toBe(64 * 1024);
  });

  it('keeps control characters of a rejecting CRM out of the error message', async () => {
    await expect(run(answering(400, 'bad \u001b[2J\u0007request'))).rejects.toMatchObject({ code: 'crm_rejected', message: 'CRM answered 400: bad \uFFFD[2J\uFFFDrequest' });
  });

  it('uses updated_at as the version when the CRM has none', async () => {
    const s = { ...settings, crm: { ...settings.crm, version_source: 'updated_at' as const } };
    await expect(run(answering(200, { order: { state: 'paid', updated: '2026-01-02T03:04:05.678Z' } }), s)).resolves.toMatchObject({ version: Date.parse('2026-01-02T03:04:05.678Z') });
  });

  it.each([
    [503, 'transient', 'crm_unavailable'],
    [429, 'transient', 'crm_rate_limited'],
    [404, 'permanent', 'crm_order_not_found'],
    [400, 'permanent', 'crm_rejected'],
  ])('classifies HTTP %i as %s', async (status, errorClass, code) => {
    await expect(run(answering(status, { error: 'x' }))).rejects.toMatchObject({ errorClass, code });
  });

  it('honours Retry-After on 429', async () => {
    await expect(run(answering(429, {}, { 'retry-after': '12' }))).rejects.toMatchObject({ retryAfter: 12_000 });
    const date = new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString();
    await expect(run(answering(503, {}, { 'retry-after': date }))).rejects.toMatchObject({ retryAfter: new Date(Date.UTC(2030, 0, 1, 0, 0, 30)) });
    // An HTTP date is a moment: the delay is taken from the injected clock when the retry is decided.
    expect(retryAfterDelay(parseRetryAfter(date)!, new Date(Date.UTC(2030, 0, 1)))).toBe(30_000);
    expect(retryAfterDelay(parseRetryAfter(date)!, new Date(Date.UTC(2030, 0, 2)))).toBe(0);
    expect([parseRetryAfter(null), parseRetryAfter('soon'), parseRetryAfter(' 7 ')]).toEqual([undefined, undefined, 7000]);
  });

  it('treats a network failure as transient and a malformed order as permanent', async () => {
    const broken: OutboundSend = async () => {
      throw new ConnectError('crm', 'crm.test', '192.0.2.1', 'connect ECONNREFUSED');
    };
    await expect(run(broken)).rejects.toMatchObject({ errorClass: 'transient', code: 'crm_network' });
    await expect(run(answering(200, { order: { state: 'paid', rev: 'seven' } }))).rejects.toMatchObject({ errorClass: 'permanent', code: 'crm_bad_order' });
  });
});

describe('order URL', () => {
  const crm = (template: string, base = 'https://crm.example.com') => ({ ...settings.crm, base_url: base, order_url_template: template });

  it('keeps the order on the CRM base URL', () => {
    expect(orderUrl(crm('/orders/{crm_order_id}?expand=1', 'https://crm.example.com/api/'), 'A/1')).toBe('https://crm.example.com/api/orders/A%2F1?expand=1');
  });

  it.each(['@evil.example/{crm_order_id}', '.evil.example/{crm_order_id}', ':8443/{crm_order_id}'])('refuses a template that leaves the CRM host: %s', (template) => {
    expect(() => orderUrl(crm(template), '1')).toThrow(/leaves the CRM's address/);
  });
});
