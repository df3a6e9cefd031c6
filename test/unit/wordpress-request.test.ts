// Every client of the plugin's REST API (write, link, notify, orders) over real HTTP on loopback: one
// authentication, one timeout, the caller's signal, zod on the answer, and one set of error classes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { answerError, wordpressRequest, type WordPressSite } from '../../sidecar/src/wordpress/request.ts';
import { wordpressApply } from '../../sidecar/src/wordpress/apply.ts';
import { wordpressLink } from '../../sidecar/src/wordpress/link.ts';
import { wordpressNotify } from '../../sidecar/src/wordpress/notify.ts';
import { wordpressOrders } from '../../sidecar/src/wordpress/orders.ts';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

let server: Server;
let site: WordPressSite;
let seen: Seen[] = [];
/** How the fake plugin answers the next requests. */
let answer: (req: IncomingMessage, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, user: 'crm-bridge-sidecar', appPassword: 'abcd efgh ijkl' };
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen = [];
});

const json = (status: number, data: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(data));
};
const never = new AbortController().signal;

describe('a request to the plugin', () => {
  it('authenticates with the Application Password, sends JSON and returns the parsed answer', async () => {
    answer = json(200, { n: 7, extra: true });
    const request = wordpressRequest(site);
    await expect(request({ name: 'the probe', method: 'POST', path: '/sidecar/probe', body: { a: 1 }, schema: z.object({ n: z.number() }), timeoutMs: 2000 }, never)).resolves.toEqual({ n: 7 });
    expect(seen).toEqual([{ method: 'POST', url: '/wp-json/crm-bridge/v1/sidecar/probe', authorization: `Basic ${Buffer.from('crm-bridge-sidecar:abcd efgh ijkl').toString('base64')}`, body: '{"a":1}' }]);
  });

  it.each([
    [401, 'transient', 'wordpress_auth'],
    [403, 'transient', 'wordpress_auth'],
    [500, 'transient', 'wordpress_error'],
    [404, 'transient', 'wordpress_error'],
  ])('classifies HTTP %i as %s %s', (status, errorClass, code) => {
    expect(answerError('the probe', status, 'no')).toMatchObject({ errorClass, code, message: `the probe answered ${status}: no`, context: { status } });
  });

  it('makes permanent only the statuses the endpoint names', () => {
    expect(answerError('the link endpoint', 409, 'taken', { 409: 'link_conflict' })).toMatchObject({ errorClass: 'permanent', code: 'link_conflict' });
    expect(answerError('the link endpoint', 401, 'who', { 409: 'link_conflict' })).toMatchObject({ errorClass: 'transient', code: 'wordpress_auth' });
  });

  it('refuses an answer of the wrong shape, or not JSON, as a transient bad response', async () => {
    const request = wordpressRequest(site);
    const call = { name: 'the probe', method: 'GET', path: '/x', schema: z.object({ n: z.number() }), timeoutMs: 2000 } as const;
    answer = json(200, { n: 'seven' });
    await expect(request(call, never)).rejects.toMatchObject({ errorClass: 'transient', code: 'wordpress_bad_response' });
    answer = (_req, res) => res.end('<html>a PHP notice</html>');
    await expect(request(call, never)).rejects.toMatchObject({ errorClass: 'transient', code: 'wordpress_bad_response', message: 'the probe answered with something that is not JSON' });
  });

  it('gives up after its timeout, and at once when the caller’s signal aborts', async () => {
    const request = wordpressRequest(site);
    const call = { name: 'the probe', method: 'GET', path: '/slow', schema: z.unknown(), timeoutMs: 200 } as const;
    answer = () => undefined; // never answers
    await expect(request(call, never)).rejects.toMatchObject({ errorClass: 'transient', code: 'wordpress_unreachable', message: 'the probe could not be reached: timed out after 200 ms' });
    const stop = new AbortController();
    const pending = request({ ...call, timeoutMs: 60_000 }, stop.signal);
    stop.abort();
    await expect(pending).rejects.toMatchObject({ code: 'wordpress_unreachable', message: 'the probe could not be reached: was cancelled: the sidecar is stopping' });
  });
});

describe('the clients of the plugin’s endpoints', () => {
  it('share the 401/403 rule: a wrong Application Password is retried, never dropped', async () => {
    answer = json(401, { code: 'rest_not_logged_in' });
    const calls = [
      () => wordpressApply(site)([{ event_id: 'e', crm_order_id: 'C-1', to_status: 'processing', version: 1 }], never),
      () => wordpressLink(site)(1, 'C-1', null, never),
      () => wordpressNotify(site)('disabled', 3, never),
      () => wordpressOrders(site)({ after: new Date(0), before: new Date(1000) }, 1, 50, never),
    ];
    for (const call of calls) await expect(call()).rejects.toMatchObject({ errorClass: 'transient', code: 'wordpress_auth' });
    expect(seen.filter((s) => s.url.includes('/sidecar/')).map((s) => `${s.method} ${s.url.split('?')[0]}`)).toEqual(['POST /wp-json/crm-bridge/v1/sidecar/apply', 'POST /wp-json/crm-bridge/v1/sidecar/link', 'POST /wp-json/crm-bridge/v1/sidecar/notify', 'GET /wp-json/crm-bridge/v1/sidecar/orders']);
  });

  it('an unreachable plugin is a transient error for every client', async () => {
    const gone = { ...site, url: 'http://127.0.0.1:9' };
    for (const call of [() => wordpressLink(gone)(1, 'C-1', 4, never), () => wordpressNotify(gone)('exhausted', 3, never)]) {
      await expect(call()).rejects.toMatchObject({ errorClass: 'transient', code: 'wordpress_unreachable' });
    }
  });

  it('a link conflict is permanent; the link carries the agreed version', async () => {
    answer = json(409, { code: 'crm_bridge_link_conflict' });
    await expect(wordpressLink(site)(12, 'C-9', 4, never)).rejects.toMatchObject({ errorClass: 'permanent', code: 'link_conflict' });
    expect(JSON.parse(seen[0]!.body)).toEqual({ order_id: 12, crm_order_id: 'C-9', version: 4 });
  });

  it('the write endpoint must answer one result per transition', async () => {
    answer = json(200, { results: [] });
    await expect(wordpressApply(site)([{ event_id: 'e', crm_order_id: 'C-1', to_status: 'processing', version: 1 }], never)).rejects.toMatchObject({ code: 'wordpress_bad_response' });
  });
});
