// Every call the sidecar makes to the plugin's REST API goes through here: Basic authentication as
// the sidecar user with its Application Password, a timeout joined to the caller's abort signal, the
// answer parsed with zod, and each failure turned into a transient or permanent error.
import type { z } from 'zod';
import { PermanentError, TransientError, type BridgeError } from '../errors.js';

/** Where the plugin is and who the sidecar is there. */
export interface WordPressSite {
  url: string;
  user: string;
  appPassword: string;
}

export interface WordPressCall<S extends z.ZodTypeAny> {
  /** What is called, as messages name it ("the write endpoint"). */
  name: string;
  method: 'GET' | 'POST';
  /** Path under /wp-json/crm-bridge/v1, e.g. "/sidecar/apply". */
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  /** The answer's shape; anything else is a bad response. */
  schema: S;
  timeoutMs: number;
  /** Statuses retrying cannot change for this endpoint, each with its error code. */
  permanent?: Readonly<Record<number, string>>;
}

export type WordPressRequest = <S extends z.ZodTypeAny>(call: WordPressCall<S>, signal: AbortSignal) => Promise<z.infer<S>>;

/** At most this much of an error answer is quoted in a message. */
const QUOTED_ANSWER_CHARS = 300;

/**
 * The error for an answer that is not 2xx. Pure. Even 401 and 403 stay transient: a wrong Application
 * Password is fixed in wp-admin, and no event is dropped meanwhile. Only the statuses an endpoint
 * names as permanent (a link conflict) go to dead letters.
 */
export function answerError(name: string, status: number, text: string, permanent: Readonly<Record<number, string>> = {}): BridgeError {
  const message = `${name} answered ${status}: ${text.slice(0, QUOTED_ANSWER_CHARS)}`;
  const code = permanent[status];
  if (code !== undefined) return new PermanentError(code, message, { status });
  return new TransientError(status === 401 || status === 403 ? 'wordpress_auth' : 'wordpress_error', message, undefined, { status });
}

export function wordpressRequest(site: WordPressSite): WordPressRequest {
  const authorization = `Basic ${Buffer.from(`${site.user}:${site.appPassword}`).toString('base64')}`;
  const base = `${site.url.replace(/\/+$/, '')}/wp-json/crm-bridge/v1`;
  return async (call, signal) => {
    const timeout = AbortSignal.timeout(call.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${base}${call.path}${call.query ? `?${call.query}` : ''}`, {
        method: call.method,
        headers: { authorization, accept: 'application/json', ...(call.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: AbortSignal.any([signal, timeout]),
      });
      text = await res.text();
    } catch (err) {
      const why = timeout.aborted ? `timed out after ${call.timeoutMs} ms` : signal.aborted ? 'was cancelled: the sidecar is stopping' : err instanceof Error ? err.message : String(err);
      throw new TransientError('wordpress_unreachable', `${call.name} could not be reached: ${why}`);
    }
    if (!res.ok) throw answerError(call.name, res.status, text, call.permanent);
    let data: unknown;
    try {
      data = text === '' ? null : JSON.parse(text);
    } catch {
      throw new TransientError('wordpress_bad_response', `${call.name} answered with something that is not JSON`);
    }
    const parsed = call.schema.safeParse(data);
    if (!parsed.success) throw new TransientError('wordpress_bad_response', `${call.name} answered with an unexpected body`);
    return parsed.data;
  };
}
