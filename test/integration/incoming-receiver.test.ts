// The receiver: signed events are recorded once and answered at once; everything else is refused
// with the right status, counted, and leaves no inbox row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePools, site, wpEval, wpEvalJson } from '../support/stack.ts';
import { configureCrm, inboxRows, logDecisions, sendEvent, statusEvent, TEST_SECRET, unique } from '../support/incoming.ts';
import { refusalSummary, refusalTotal } from '../support/trust.ts';

beforeAll(() => configureCrm('http://127.0.0.1:9'));
afterAll(closePools);

describe('incoming receiver', () => {
  it('accepts a signed event with 202 before WooCommerce loads, stores one row and logs it', async () => {
    const id = unique('evt');
    const res = await sendEvent({ id, body: statusEvent(unique('C'), 'paid', 1) });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-crm-bridge-receiver')).toBe('early');
    expect(await res.json()).toEqual({ accepted: true, event_id: id, duplicate: false });
    expect(await inboxRows(id)).toEqual([{ status: 'pending', attempts: 0 }]);
    expect((await logDecisions({ eventId: id })).map((r) => r.decision)).toEqual(['accepted']);
  });

  it('answers a repeated event id with 200 duplicate and changes nothing', async () => {
    const id = unique('evt');
    const body = statusEvent(unique('C'), 'paid', 1);
    expect((await sendEvent({ id, body })).status).toBe(202);
    const again = await sendEvent({ id, body });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ accepted: true, event_id: id, duplicate: true });
    expect(await inboxRows(id)).toHaveLength(1);
    expect((await logDecisions({ eventId: id })).map((r) => r.decision)).toEqual(['accepted', 'duplicate']);
  });

  it('serves the same contract through the registered REST route', () => {
    const id = unique('evt');
    const body = statusEvent(unique('C'), 'paid', 1);
    const result = wpEvalJson<{ status: number; data: unknown; receiver: string }>(`
      $ts = time();
      $req = new WP_REST_Request( 'POST', '/crm-bridge/v1/crm/events' );
      $req->set_header( 'content-type', 'application/json' );
      $req->set_header( 'webhook-id', ${JSON.stringify(id)} );
      $req->set_header( 'webhook-timestamp', (string) $ts );
      $req->set_header( 'webhook-signature', \\CrmBridge\\Signature::sign( ${JSON.stringify(id)}, $ts, ${JSON.stringify(body)}, ${JSON.stringify(TEST_SECRET)} ) );
      $req->set_body( ${JSON.stringify(body)} );
      $res = rest_do_request( $req );
      echo wp_json_encode( array( 'status' => $res->get_status(), 'data' => $res->get_data(), 'receiver' => $res->get_headers()['X-CRM-Bridge-Receiver'] ?? '' ) );`);
    expect(result).toEqual({ status: 202, data: { accepted: true, event_id: id, duplicate: false }, receiver: 'rest' });
  });

  const refusals: [string, () => Promise<Response>, number, string, string][] = [
    ['a signature from a wrong secret', () => sendEvent({ id: 'x', body: statusEvent('C-r1', 'paid', 1), secret: 'whsec_' + Buffer.from('another secret, not ours, 32 byt').toString('base64') }), 401, 'invalid_signature', 'signature'],
    ['a stale timestamp', () => sendEvent({ id: 'x', body: statusEvent('C-r2', 'paid', 1), timestamp: new Date(Date.now() - 6 * 60_000) }), 401, 'invalid_timestamp', 'timestamp'],
    ['a timestamp from the future', () => sendEvent({ id: 'x', body: statusEvent('C-r3', 'paid', 1), timestamp: new Date(Date.now() + 6 * 60_000) }), 401, 'invalid_timestamp', 'timestamp'],
    ['a body of 1 MiB', () => sendEvent({ id: 'x', body: JSON.stringify({ type: 't', data: { crm_order_id: 'C-r4', pad: 'x'.repeat(1024 * 1024) } }) }), 413, 'body_too_large', 'size'],
    ['malformed JSON', () => sendEvent({ id: 'x', body: '{"type": "order.status_changed", "data": {' }), 400, 'invalid_json', 'schema'],
    ['a body that is not JSON', () => sendEvent({ id: 'x', body: 'type=order', contentType: 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type', 'content_type'],
    ['an unsigned request', () => fetch(`${site().url}/wp-json/crm-bridge/v1/crm/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: statusEvent('C-r5', 'paid', 1) }), 401, 'invalid_signature', 'signature'],
  ];

  it.each(refusals)('refuses %s with the right status, counts it and stores nothing', async (_name, send, status, code, refusalClass) => {
    const before = refusalTotal(refusalClass);
    const res = await send();
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ code });
    expect(await inboxRows('x')).toEqual([]);
    expect(refusalTotal(refusalClass)).toBe(before + 1);
  });

  it('refuses a replayed old request even though its signature is valid', async () => {
    const id = unique('evt');
    const captured = { id, body: statusEvent(unique('C'), 'paid', 1), timestamp: new Date(Date.now() - 10 * 60_000) };
    const res = await sendEvent(captured);
    expect(res.status).toBe(401);
    expect(await inboxRows(id)).toEqual([]);
  });

  it('names the wrong fields of an event that does not match the schema', async () => {
    const id = unique('evt');
    const res = await sendEvent({ id, body: JSON.stringify({ type: '', data: { status: 7, version: -1 } }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; errors: Record<string, string> };
    expect(body.code).toBe('invalid_event');
    expect(Object.keys(body.errors).sort()).toEqual(['data.crm_order_id', 'data.status', 'data.version', 'type']);
    expect(await inboxRows(id)).toEqual([]);
  });

  it('accepts both secrets during a rotation and only the new one after the grace period', async () => {
    const next = 'whsec_' + Buffer.from('the next signing secret, 32 byte').toString('base64');
    try {
      wpEval(`\\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::INCOMING, ${JSON.stringify(next)}, 3600 );`);
      expect((await sendEvent({ id: unique('evt'), body: statusEvent(unique('C'), 'paid', 1), secret: TEST_SECRET })).status).toBe(202);
      expect((await sendEvent({ id: unique('evt'), body: statusEvent(unique('C'), 'paid', 1), secret: next })).status).toBe(202);
      // The grace period ends.
      wpEval(`$all = json_decode( get_option( 'crm_bridge_secrets' ), true ); $all['incoming_signing']['previous_expires_at'] = time() - 1; update_option( 'crm_bridge_secrets', wp_json_encode( $all ) );`);
      expect((await sendEvent({ id: unique('evt'), body: statusEvent(unique('C'), 'paid', 1), secret: TEST_SECRET })).status).toBe(401);
      expect((await sendEvent({ id: unique('evt'), body: statusEvent(unique('C'), 'paid', 1), secret: next })).status).toBe(202);
    } finally {
      configureCrm('http://127.0.0.1:9');
    }
  });

  it('verifies an HMAC of the raw body in a configured header, hex with a sha256= prefix', async () => {
    try {
      wpEval(`\\CrmBridge\\Settings::update( array( 'incoming' => array( 'signature_mode' => 'hmac', 'hmac_header' => 'X-Crm-Signature', 'hmac_encoding' => 'hex', 'event_id_path' => 'id' ) ) );`);
      const id = unique('evt');
      const body = JSON.stringify({ id, type: 'order.status_changed', data: { crm_order_id: unique('C'), status: 'paid', version: 1 } });
      const { createHmac } = await import('node:crypto');
      const key = Buffer.from(TEST_SECRET.slice(6), 'base64');
      const good = 'sha256=' + createHmac('sha256', key).update(body).digest('hex');
      const post = (signature: string) => fetch(`${site().url}/wp-json/crm-bridge/v1/crm/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-crm-signature': signature }, body });
      expect((await post('sha256=' + '0'.repeat(64))).status).toBe(401);
      const res = await post(good);
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: true, event_id: id, duplicate: false });
    } finally {
      wpEval(`\\CrmBridge\\Settings::update( array( 'incoming' => array( 'signature_mode' => 'standard_webhooks', 'event_id_path' => '' ) ) );`);
    }
  });

  it('never records a secret in the refusal sample', () => {
    const samples = JSON.stringify(refusalSummary().samples);
    expect(samples.length).toBeGreaterThan(2);
    expect(samples).not.toContain(TEST_SECRET.slice(6, 20));
  });
});
