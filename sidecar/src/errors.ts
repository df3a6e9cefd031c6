// Failure kinds. Retry policy reads the class, never a message: a transient error is retried with
// backoff, a permanent one goes to dead letters. The class name is what the sync log records.
export type ErrorClass = 'transient' | 'permanent';

/** How long the other side asked us to wait: a delay in milliseconds, or the moment an HTTP date names. */
export type RetryAfter = number | Date;

export abstract class BridgeError extends Error {
  abstract readonly errorClass: ErrorClass;
  /** A short, stable code for the log and the admin filters, e.g. crm_timeout. */
  constructor(
    readonly code: string,
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Worth trying again later: network, timeouts, 429, 5xx, an open circuit, a busy order lock. */
export class TransientError extends BridgeError {
  readonly errorClass = 'transient' as const;
  constructor(
    code: string,
    message: string,
    /** The other side asked us to wait at least this long, or until then (Retry-After). */
    readonly retryAfter?: RetryAfter,
    context: Record<string, unknown> = {},
  ) {
    super(code, message, context);
  }
}

/** Retrying cannot help: the CRM does not know the order, the status is unmapped, no order is linked. */
export class PermanentError extends BridgeError {
  readonly errorClass = 'permanent' as const;
}

/** Anything unexpected is treated as transient, so no event is dead-lettered by a bug we can fix. */
export function classify(err: unknown): BridgeError {
  if (err instanceof BridgeError) return err;
  return new TransientError('unexpected', err instanceof Error ? err.message : String(err));
}
