// Client of the plugin's batched write endpoint (POST crm-bridge/v1/sidecar/apply), authenticated as
// the sidecar user with its Application Password. Transitions submitted close together travel in one
// request, because every WordPress request pays for loading WordPress and WooCommerce first.
import { z } from 'zod';
import { TransientError } from '../errors.js';
import { wordpressRequest, type WordPressSite } from './request.js';

/** The endpoint's answers, in the order of the plugin's Outcome::ALL (a contract test holds them equal). */
export const applyOutcomeSchema = z.enum(['applied', 'unchanged', 'stale', 'refused', 'not_found', 'invalid', 'busy', 'lease_lost']);
export type ApplyOutcome = z.infer<typeof applyOutcomeSchema>;

/** Who sends a transition without an inbox row (the plugin's Outcome::SOURCES): `reconcile_enforce`
 * alone may revert a shop's own change to the CRM's state. */
export const applySourceSchema = z.enum(['reconcile', 'reconcile_enforce']);
export type ApplySource = z.infer<typeof applySourceSchema>;

export interface Transition {
  event_id: string;
  crm_order_id: string;
  order_id?: number;
  to_status: string;
  version: number;
  note?: string;
  /** The fence: the inbox row and the claim (worker, attempt) the transition comes from. With it the
   * plugin applies only while that claim holds the row, then logs the outcome and marks the row done. */
  inbox_id?: number;
  worker?: string;
  attempt?: number;
  /** Set on a transition without an inbox row; the plugin logs its outcome under this source. */
  source?: ApplySource;
  /** What the CRM said, logged by the plugin as the `verified` decision. */
  verified?: { crm_status: string; crm_version: number; latency_ms: number };
  /** When processing began (Unix ms), for the logged latency. */
  started_ms?: number;
}

export const applyResultSchema = z.object({
  event_id: z.string(),
  order_id: z.number().nullable(),
  outcome: applyOutcomeSchema,
  from_status: z.string().optional(),
  to_status: z.string().optional(),
  message: z.string().optional(),
  /** Why a refusal was made, when it is not a backward move: `foreign_order` (the order belongs to another CRM order, or was never announced to the CRM). */
  code: z.string().optional(),
  /** The guard's reason for applied, unchanged, stale and refused (`newer_version`, `not_newer`, `backward`, `enforced`, `foreign_order`, ...). */
  reason: z.string().optional(),
  /** True when the plugin logged the outcome (and, for a fenced transition, marked the inbox row done). */
  recorded: z.boolean().optional(),
});
export type ApplyResult = z.infer<typeof applyResultSchema>;

const responseSchema = z.object({ results: z.array(applyResultSchema) });

export type ApplyFn = (transitions: Transition[], signal: AbortSignal) => Promise<ApplyResult[]>;

export function wordpressApply(opts: WordPressSite & { timeoutMs?: number }): ApplyFn {
  const request = wordpressRequest(opts);
  return async (transitions, signal) => {
    const { results } = await request(
      { name: 'the write endpoint', method: 'POST', path: '/sidecar/apply', body: { transitions }, schema: responseSchema, timeoutMs: opts.timeoutMs ?? 30_000 },
      signal,
    );
    if (results.length !== transitions.length) throw new TransientError('wordpress_bad_response', 'the write endpoint answered with an unexpected body');
    return results;
  };
}

export interface ApplyBatcherOptions {
  /** The most transitions in one request. */
  maxBatch?: number;
  /** How long a transition waits for company before its request leaves. */
  maxWaitMs?: number;
  /** The most requests out at once (CRM_BRIDGE_WRITE_REQUESTS). */
  maxInFlight?: number;
}

/**
 * Groups submissions into batches of at most maxBatch, waiting at most maxWaitMs for company. At most
 * maxInFlight requests are out at once; what is submitted meanwhile waits and goes out together when
 * one comes back (group commit). Each request pays for loading WordPress and WooCommerce, so under load
 * the batches grow and that cost is shared, while a lone transition still leaves after maxWaitMs.
 */
export class ApplyBatcher {
  private pending: { transition: Transition; resolve: (r: ApplyResult) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly apply: ApplyFn,
    private readonly signal: AbortSignal,
    { maxBatch = 50, maxWaitMs = 15, maxInFlight = 4 }: ApplyBatcherOptions = {},
  ) {
    this.maxBatch = maxBatch;
    this.maxWaitMs = maxWaitMs;
    this.maxInFlight = maxInFlight;
  }

  submit(transition: Transition): Promise<ApplyResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ transition, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Every request slot is taken: the batch grows until one comes back.
    if (this.inFlight >= this.maxInFlight) return;
    const batch = this.pending.splice(0, this.maxBatch);
    if (this.pending.length > 0) this.timer = setTimeout(() => this.flush(), 0);
    if (batch.length === 0) return;
    this.inFlight++;
    this.apply(
      batch.map((b) => b.transition),
      this.signal,
    )
      .then(
        (results) => batch.forEach((b, i) => b.resolve(results[i]!)),
        (err: unknown) => batch.forEach((b) => b.reject(err)),
      )
      .finally(() => {
        this.inFlight--;
        if (this.pending.length > 0) this.flush();
      });
  }
}
