// The one outbound HTTP client for addresses someone typed (the CRM API, subscribers, connection
// tests): it resolves the host once, checks every address, connects to exactly the checked address,
// follows no redirect and reads at most a bounded body.
import { promises as dns } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { checkAddress } from './addressRules.js';
import { AddressRefusedError, ConnectError, DnsError, OutboundTimeoutError, RedirectError, ResponseTooLargeError, TlsError, type OutboundTarget } from './errors.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address a host name resolves to. Injected in tests to answer differently from call to call. */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (host) => dns.lookup(host, { all: true, verbatim: true });

export interface OutboundRequest {
  target: OutboundTarget;
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Bytes of the body read at most. */
  maxBodyBytes: number;
  /** Over the limit: `fail` throws ResponseTooLargeError, `truncate` keeps what fits. Either way the rest is never read. */
  overLimit: 'fail' | 'truncate';
  /** A 3xx: `refuse` throws RedirectError naming its Location, `answer` returns it like any status. Never followed. */
  redirects: 'refuse' | 'answer';
}

export interface OutboundResponse {
  status: number;
  headers: { get(name: string): string | null };
  /** The body as UTF-8 text (invalid sequences replaced), at most maxBodyBytes of it. */
  body: string;
  truncated: boolean;
  /** The address the request went to. */
  address: string;
}

/** Only what callers use of the client. */
export type OutboundSend = (req: OutboundRequest) => Promise<OutboundResponse>;

export interface OutboundClientOptions {
  /** From CRM_BRIDGE_ALLOW_PRIVATE_URLS only: nothing read from the database can open private networks. */
  allowPrivate: boolean;
  resolve?: Resolver;
}

const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL)/;
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export function createOutboundClient(opts: OutboundClientOptions): OutboundSend {
  const resolve = opts.resolve ?? systemResolver;

  /** The one address to connect to, after checking every address the host has. */
  async function pick(target: OutboundTarget, host: string): Promise<ResolvedAddress> {
    let addresses: ResolvedAddress[];
    if (isIP(host)) {
      addresses = [{ address: host, family: isIP(host) }];
    } else {
      try {
        addresses = await resolve(host);
      } catch (err) {
        throw new DnsError(target, host, errorText(err));
      }
      if (addresses.length === 0) throw new DnsError(target, host, 'no address');
    }
    // One refused address refuses the host: a resolver may hand them out in any order.
    for (const { address } of addresses) {
      const verdict = checkAddress(address, opts.allowPrivate);
      if (!verdict.allowed) throw new AddressRefusedError(host, address, verdict.reason, verdict.privateNetwork);
    }
    return addresses[0]!;
  }

  return async (req) => {
    const url = new URL(req.url);
    // WHATWG URL has already normalised IP literals (2130706433 → 127.0.0.1, [::ffff:7f00:1]).
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AddressRefusedError(host, host, `the scheme ${url.protocol} is not http or https`);
    const pinned = await pick(req.target, host);
    // Node's connect asks this for the host's address: it gets the checked one and nothing else, so no
    // second resolution can hand out another (DNS rebinding). Host header and TLS SNI stay the name.
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if (options.all) (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    const agent = new Agent({ connect: { lookup }, pipelining: 0 });
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = AbortSignal.any([req.signal, timeout]);
    const failed = (err: unknown): Error => {
      if (timeout.aborted) return new OutboundTimeoutError(req.target, host, `timed out after ${req.timeoutMs} ms`);
      if (req.signal.aborted) return new OutboundTimeoutError(req.target, host, 'was cancelled: the sidecar is stopping');
      const code = errorCode(err);
      if (TIMEOUT_CODES.has(code)) return new OutboundTimeoutError(req.target, host, `timed out (${code})`);
      if (TLS_CODES.test(code)) return new TlsError(req.target, host, errorText(err));
      return new ConnectError(req.target, host, pinned.address, errorText(err));
    };
    try {
      let res;
      try {
        res = await request(url, { method: req.method, headers: req.headers, body: req.body, signal, dispatcher: agent });
      } catch (err) {
        throw failed(err);
      }
      // Destroying the body on purpose (over the limit, a refused redirect) must not surface as an error.
      res.body.on('error', () => undefined);
      const headers = { get: (name: string) => headerValue(res.headers[name.toLowerCase()]) };
      if (res.statusCode >= 300 && res.statusCode < 400 && req.redirects === 'refuse') {
        res.body.destroy();
        throw new RedirectError(req.target, res.statusCode, headers.get('location'));
      }
      const declared = Number(headers.get('content-length'));
      if (req.overLimit === 'fail' && declared > req.maxBodyBytes) {
        res.body.destroy();
        throw new ResponseTooLargeError(req.target, req.maxBodyBytes);
      }
      let read: { bytes: Buffer; truncated: boolean };
      try {
        read = await readBounded(res.body, req.maxBodyBytes);
      } catch (err) {
        throw failed(err);
      }
      if (read.truncated && req.overLimit === 'fail') throw new ResponseTooLargeError(req.target, req.maxBodyBytes);
      return { status: res.statusCode, headers, body: new TextDecoder('utf-8').decode(read.bytes), truncated: read.truncated, address: pinned.address };
    } finally {
      // One agent per request: a connection is never reused for an address it was not pinned to.
      agent.destroy().catch(() => undefined);
    }
  };
}

/** Reads up to `limit` bytes; past it the stream is destroyed, so the rest is neither read nor held. */
async function readBounded(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const room = limit - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      body.destroy();
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return String(e?.code ?? e?.cause?.code ?? '');
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`.trim();
}
