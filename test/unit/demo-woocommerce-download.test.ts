// The demo's download of a pinned WooCommerce release, against a real HTTP server on loopback: a zip
// with the pinned SHA-256 is kept and reused; anything else is refused, says why, and leaves no file.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadRefused, PINNED, pinnedReleaseZip } from '../../demo/woocommerce-download.ts';

const ZIP = Buffer.from('PK\u0003\u0004 a zip body standing in for woocommerce.9.4.3.zip '.repeat(200));
const GOOD = { version: '9.4.3', sha256: createHash('sha256').update(ZIP).digest('hex') };

let server: Server;
let host: string;
let cache: string;
const requests: string[] = [];
/** What the server does for the next requests: serve the zip, another body, a status, a redirect, or hang. */
let mode: 'zip' | 'tampered' | 'missing' | 'redirect' | 'hang' | 'huge' = 'zip';

beforeEach(async () => {
  cache = mkdtempSync(join(tmpdir(), 'crm-bridge-dl-'));
  requests.length = 0;
  mode = 'zip';
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (mode === 'hang') return; // never answers: the client's timeout must end it
    if (mode === 'missing') return void res.writeHead(404).end('not found');
    if (mode === 'redirect') return void res.writeHead(302, { location: 'http://elsewhere.test/woocommerce.zip' }).end();
    if (mode === 'huge') {
      // No content-length: the size limit must hold while streaming.
      res.writeHead(200, { 'content-type': 'application/zip' });
      res.write(Buffer.alloc(4096));
      res.write(Buffer.alloc(4096));
      return void res.end(Buffer.alloc(4096));
    }
    const body = mode === 'tampered' ? Buffer.concat([ZIP, Buffer.from('x')]) : ZIP;
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(cache, { recursive: true, force: true });
});

describe('the demo’s WooCommerce download', () => {
  it('keeps a zip whose SHA-256 is the pinned one, from wordpress.org’s path, and reuses it without the network', async () => {
    const zip = await pinnedReleaseZip(cache, GOOD, { host });
    expect(zip).toBe(join(cache, 'woocommerce.9.4.3.zip'));
    expect(requests).toEqual(['/plugin/woocommerce.9.4.3.zip']);
    expect(await pinnedReleaseZip(cache, GOOD, { host })).toBe(zip);
    expect(requests).toHaveLength(1);
    expect(readdirSync(cache)).toEqual(['woocommerce.9.4.3.zip']);
  });

  it('refuses a zip with another checksum, names both, and deletes it', async () => {
    mode = 'tampered';
    const err = await pinnedReleaseZip(cache, GOOD, { host }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadRefused);
    expect((err as Error).message).toMatch(new RegExp(`not the pinned ${GOOD.sha256}.*deleted`));
    expect(readdirSync(cache)).toEqual([]);
  });

  it('downloads again when the cached zip no longer matches', async () => {
    writeFileSync(join(cache, 'woocommerce.9.4.3.zip'), 'changed on disk');
    await pinnedReleaseZip(cache, GOOD, { host });
    expect(requests).toHaveLength(1);
  });

  it('refuses a 404, a redirect, a server that does not answer in time and a body over the size limit', async () => {
    mode = 'missing';
    await expect(pinnedReleaseZip(cache, GOOD, { host })).rejects.toThrow(/answered HTTP 404/);
    mode = 'redirect';
    await expect(pinnedReleaseZip(cache, GOOD, { host })).rejects.toThrow(/HTTP 302 \(a redirect to http:\/\/elsewhere\.test\/woocommerce\.zip, not followed\)/);
    mode = 'hang';
    await expect(pinnedReleaseZip(cache, GOOD, { host, timeoutMs: 300 })).rejects.toThrow(/timed out/);
    mode = 'huge';
    await expect(pinnedReleaseZip(cache, GOOD, { host, maxBytes: 10_000 })).rejects.toThrow(/more than the 10000 bytes/);
    mode = 'zip';
    await expect(pinnedReleaseZip(cache, GOOD, { host, maxBytes: 100 })).rejects.toThrow(/more than the 100 a release can be/);
    expect(existsSync(join(cache, 'woocommerce.9.4.3.zip'))).toBe(false);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('does not download at all while the release’s checksum is not pinned', async () => {
    await expect(pinnedReleaseZip(cache, { version: '9.4.3', sha256: null }, { host })).rejects.toThrow(/not pinned yet/);
    expect(requests).toEqual([]);
    // The shipped pin names the release the stack's WordPress 6.5 runs.
    expect(PINNED.version).toBe('9.4.3');
  });
});
