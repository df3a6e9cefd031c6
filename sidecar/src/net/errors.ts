// One error class per way an outbound request fails, each naming the failing step and carrying its
// context. They extend the worker's transient/permanent classes, so retry policy stays class-based.
import { PermanentError, TransientError } from '../errors.js';

/** Who the request was for: the codes keep the prefixes the sync log already uses. */
export type OutboundTarget = 'crm' | 'endpoint';

const CODES = {
  crm: { dns: 'crm_dns_failed', connect: 'crm_network', tls: 'crm_tls_failed', timeout: 'crm_timeout', redirect: 'crm_redirect', tooLarge: 'crm_response_too_large' },
  endpoint: { dns: 'endpoint_dns_failed', connect: 'endpoint_unreachable', tls: 'endpoint_tls_failed', timeout: 'endpoint_timeout', redirect: 'endpoint_redirect', tooLarge: 'endpoint_response_too_large' },
} as const;

/** The host resolved to (or is) an address the sidecar must not reach. Retrying cannot help. */
export class AddressRefusedError extends PermanentError {
  constructor(host: string, address: string, reason: string, privateNetwork = false) {
    super('address_refused', `address refused: ${host} is ${address === host ? '' : `${address}, `}${reason}`, { step: 'check address', host, address, reason, privateNetwork });
  }
}

/** The host name did not resolve. */
export class DnsError extends TransientError {
  constructor(target: OutboundTarget, host: string, cause: string) {
    super(CODES[target].dns, `DNS lookup of ${host} failed: ${cause}`, undefined, { step: 'resolve', host });
  }
}

/** No connection to the checked address (refused, reset, unreachable). */
export class ConnectError extends TransientError {
  constructor(target: OutboundTarget, host: string, address: string, cause: string) {
    super(CODES[target].connect, `connection to ${host} (${address}) failed: ${cause}`, undefined, { step: 'connect', host, address });
  }
}

/** The TLS handshake failed (certificate, protocol). */
export class TlsError extends TransientError {
  constructor(target: OutboundTarget, host: string, cause: string) {
    super(CODES[target].tls, `TLS with ${host} failed: ${cause}`, undefined, { step: 'tls', host });
  }
}

/** The request did not finish in time, or the sidecar is shutting down. */
export class OutboundTimeoutError extends TransientError {
  constructor(target: OutboundTarget, host: string, detail: string) {
    super(CODES[target].timeout, `request to ${host} ${detail}`, undefined, { step: 'wait for answer', host });
  }
}

/** A 3xx where a redirect is an error (the CRM API). The Location is named and never requested. */
export class RedirectError extends PermanentError {
  constructor(target: OutboundTarget, status: number, location: string | null) {
    super(CODES[target].redirect, `redirect refused: the answer was ${status} to ${location ?? '(no Location)'}, which is not followed`, { step: 'read answer', status, location });
  }
}

/** The answer's body is over the limit; the rest of it was never read. */
export class ResponseTooLargeError extends PermanentError {
  constructor(target: OutboundTarget, limitBytes: number) {
    super(CODES[target].tooLarge, `the answer is larger than ${limitBytes} bytes; it was not read further`, { step: 'read body', limitBytes });
  }
}
