import { describe, expect, it } from 'vitest';
import { ANSWER_KEPT_BYTES, attemptDetail, recordedUrl } from '../../sidecar/src/outgoing/attemptDetail.ts';
import { deliveryRequest } from '../../sidecar/src/outgoing/deliver.ts';
import { TransientError } from '../../sidecar/src/errors.ts';
import { AddressRefusedError, ConnectError, DnsError, OutboundTimeoutError, TlsError } from '../../sidecar/src/net/errors.ts';

const request = deliveryRequest('https://hooks.example/in', { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,abc=' });
const answer = (status: number, body: string, truncated = false) => ({ status, body, truncated, headers: { 'content-type': 'application/json' }, retryAfter: null, durationMs: 42 });

describe('a delivery attempt is recorded in full', () => {
  it('keeps the request sent (headers, the payload by reference), the answer and the duration', () => {
    const d = attemptDetail({ topic: 'order.created', request, response: answer(200, '{"ok":true}'), durationMs: null, failure: null, retryAt: null });
    expect(d).toEqual({
      topic: 'order.created',
      status_code: 200,
      response: '{"ok":true}',
      retry_at: null,
      duration_ms: 42,
      request: { method: 'POST', url: 'https://hooks.example/…', headers: { 'content-type': 'application/json', 'user-agent': 'CRM-Bridge-for-WooCommerce', 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,abc=' }, body_ref: 'payload' },
      answer: { status: 200, headers: { 'content-type': 'application/json' }, truncated: false },
      failure: null,
    });
  });

  it('keeps the first 2 KiB of an answer and marks it cut, whether the client or the record cut it', () => {
    const long = attemptDetail({ topic: 'order.updated', request, response: answer(500, 'x'.repeat(3000)), durationMs: null, failure: new TransientError('endpoint_error', 'the endpoint answered 500'), retryAt: new Date('2030-01-01T00:00:00Z') });
    expect(long.response).toHaveLength(ANSWER_KEPT_BYTES);
    expect(long.answer?.truncated).toBe(true);
    expect(long.failure).toEqual({ step: 'http_status', code: 'endpoint_error' });
    expect(long.retry_at).toBe('2030-01-01T00:00:00.000Z');
    expect(attemptDetail({ topic: 't', request, response: answer(500, 'short', true), durationMs: null, failure: null, retryAt: null }).answer?.truncated).toBe(true);
  });

  it('names the step a transport failure happened at', () => {
    const step = (failure: Error & { code: string; context: Record<string, unknown> }) =>
      attemptDetail({ topic: 't', request, response: null, durationMs: 7, failure: failure as TransientError, retryAt: null }).failure?.step;
    expect(step(new DnsError('endpoint', 'hooks.example', 'ENOTFOUND'))).toBe('dns');
    expect(step(new ConnectError('endpoint', 'hooks.example', '192.0.2.1', 'ECONNREFUSED'))).toBe('connect');
    expect(step(new TlsError('endpoint', 'hooks.example', 'CERT_HAS_EXPIRED'))).toBe('tls');
    expect(step(new OutboundTimeoutError('endpoint', 'hooks.example', 'timed out after 10 ms'))).toBe('timeout');
    expect(step(new AddressRefusedError('hooks.example', '10.0.0.1', 'a private address'))).toBe('address_refused');
    const failed = attemptDetail({ topic: 't', request, response: null, durationMs: 7, failure: new DnsError('endpoint', 'h', 'x'), retryAt: null });
    expect(failed).toMatchObject({ status_code: null, response: null, answer: null, duration_ms: 7 });
  });

  it('records the URL’s origin only: no credentials, path or query values', () => {
    const secretive = deliveryRequest('https://user:pa55@hooks.example/in?token=abc123&x=1', {});
    const d = attemptDetail({ topic: 't', request: secretive, response: null, durationMs: null, failure: null, retryAt: null });
    expect(d.request!.url).toBe('https://hooks.example/…');
    expect(JSON.stringify(d)).not.toMatch(/pa55|abc123|\/in/);
    expect(recordedUrl('https://hooks.example/services/T0/B0/xyz')).toBe('https://hooks.example/…');
    expect(recordedUrl('https://hooks.example')).toBe('https://hooks.example/');
  });

  it('records no request when nothing was sent', () => {
    expect(attemptDetail({ topic: 't', request: null, response: null, durationMs: null, failure: new TransientError('circuit_open', 'open'), retryAt: null })).toMatchObject({ request: null, failure: { step: 'other', code: 'circuit_open' } });
  });
});
