import { describe, expect, it } from 'vitest';
import { fetchCrmOrder, parseRetryAfter, type FetchLike } from '../../sidecar/src/incoming/crm.ts';
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

function answering(status: number, body: unknown, headers: Record<string, string> = {}): FetchLike & { seen: { url: string; headers: Record<string, string> }[] } {
  const seen: { url: string; headers: Record<string, string> }[] = [];
  const fn = (async (url, init) => {
    seen.push({ url, headers: init.headers });
    return { status, headers: { get: (n: string) => headers[n.toLowerCase()] ?? null }, text: async () => (typeof body === 'string' ? body : JSON.stringify(body)) };
  }) as FetchLike & { seen: typeof seen };
  fn.seen = seen;
  return fn;
}

const run = (fetchFn: FetchLike, s: Settings = settings) => fetchCrmOrder(fetchFn, new CircuitBreakers(systemClock), s, { token: 'k3y' }, 'A/1 b', new AbortController().signal);

describe('CRM connector', () => {
  it('builds the URL from the template, authenticates as configured and reads the JSON paths', async () => {
    const fetchFn = answering(200, { order: { state: 'paid', rev: 7, external: { woo: '123' } } });
    await expect(run(fetchFn)).resolves.toEqual({ status: 'paid', version: 7, wooOrderId: 123 });
    expect(fetchFn.seen[0]).toMatchObject({ url: 'https://crm.test/api/v2/orders/A%2F1%20b?expand=1', headers: { 'x-api-key': 'k3y' } });
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
    await expect(run(answering(429, {}, { 'retry-after': '12' }))).rejects.toMatchObject({ retryAfterMs: 12_000 });
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(30_000);
  });

  it('treats a network failure as transient and a malformed order as permanent', async () => {
    const broken: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(run(broken)).rejects.toMatchObject({ errorClass: 'transient', code: 'crm_network' });
    await expect(run(answering(200, { order: { state: 'paid', rev: 'seven' } }))).rejects.toMatchObject({ errorClass: 'permanent', code: 'crm_bad_order' });
  });
});
