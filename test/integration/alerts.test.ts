// Alerts to a webhook: the URL is a write-only secret checked by the address rules, a test alert
// reports whether it arrived, and the alerts the sidecar raises (deliveries given up, a subscription
// disabled) reach it as Slack-compatible JSON {"text": …} besides the e-mail.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSession, closePools, rest, wpEvalAsync, type Session } from '../support/stack.ts';

let server: Server;
let url: string;
let answer = 200;
const received: { contentType: string | undefined; body: unknown }[] = [];
let session: Session;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ contentType: req.headers['content-type'], body: JSON.parse(body) as unknown });
      res.statusCode = answer;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/secret-path-of-the-hook`;
  session = await adminSession();
});
afterAll(async () => {
  await setWebhook('revoke');
  await new Promise((resolve) => server.close(resolve));
  await closePools();
});

const call = (method: string, path: string, data?: unknown) =>
  rest(`/crm-bridge/v1${path}`, { method, session, headers: { 'content-type': 'application/json' }, ...(data === undefined ? {} : { body: JSON.stringify(data) }) });
const setWebhook = (action: 'set' | 'revoke', value?: string) => call('POST', '/admin/settings/secrets', { name: 'alerts_webhook_url', action, value });

describe('alert webhook', () => {
  it('is a write-only secret: stored, described as set, never answered back', async () => {
    const res = await setWebhook('set', url);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('secret-path-of-the-hook');
    const settings = await (await call('GET', '/admin/settings')).text();
    expect(settings).not.toContain('secret-path-of-the-hook');
    expect((JSON.parse(settings) as { secrets: Record<string, { set: boolean }> }).secrets.alerts_webhook_url?.set).toBe(true);
  });

  it('refuses a URL the address rules refuse', async () => {
    const res = await setWebhook('set', 'ftp://chat.example.com/hook');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { data: { errors: Record<string, string> } }).data.errors.value).toContain('http:// or https://');
  });

  it('sends a test alert and says whether it arrived', async () => {
    received.length = 0;
    const res = await call('POST', '/admin/alerts/test');
    expect(await res.json()).toEqual({ sent: true, status: 200, error: null });
    expect(received).toEqual([{ contentType: 'application/json', body: { text: expect.stringContaining('Test alert from') } }]);
    answer = 500;
    try {
      expect(await (await call('POST', '/admin/alerts/test')).json()).toEqual({ sent: false, status: 500, error: 'The alert webhook answered HTTP 500.' });
    } finally {
      answer = 200;
    }
  });

  it('carries the alert the sidecar raises when deliveries to a subscription are given up', async () => {
    const created = await call('POST', '/admin/subscriptions', { name: 'alerted endpoint', url: 'http://127.0.0.1:9/hook', topics: ['all'] });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    received.length = 0;
    await wpEvalAsync(`delete_transient( 'crm_bridge_mailed_exhausted_${id}' ); \\CrmBridge\\Notices::mail_exhausted( ${id} );`);
    expect(received).toEqual([{ contentType: 'application/json', body: { text: expect.stringMatching(/^\[CRM Bridge\] Deliveries to "alerted endpoint" were given up\n\nCRM Bridge retried a delivery/) } }]);
    await call('DELETE', `/admin/subscriptions/${id}`);
  });

  it('says so when no webhook is set', async () => {
    await setWebhook('revoke');
    const res = await call('POST', '/admin/alerts/test');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('crm_bridge_no_alert_webhook');
  });
});
