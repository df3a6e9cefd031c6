// The sync log: every decision about an event, with its order, event id, attempt, timing and error
// class, as rows users read in wp-admin. Workers emit decisions; this writer and the metrics listen.
// Text that came from a CRM or an endpoint is cut and cleaned here, so it cannot break a view or a terminal.
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { insertLogRows } from './db/insertLogRows.js';

export type DecisionName = 'accepted' | 'duplicate' | 'replayed' | 'discarded' | 'test' | 'linked' | 'verified' | 'applied' | 'stale' | 'refused' | 'looped' | 'delivered' | 'retried' | 'dead';

export interface DecisionEntry {
  direction: 'in' | 'out';
  decision: DecisionName;
  orderId?: number | null;
  crmOrderId?: string | null;
  eventId?: string | null;
  subscriptionId?: number | null;
  attempt: number;
  fromStatus?: string | null;
  toStatus?: string | null;
  latencyMs?: number | null;
  errorClass?: string | null;
  message?: string | null;
  detail?: Record<string, unknown> | null;
}

/** At most this many UTF-8 bytes of any one text (an answer's body, a message) are stored. */
export const LOG_TEXT_MAX_BYTES = 4 * 1024;

// C0 controls but tab and newline, DEL, C1 controls, bidirectional overrides and isolates (they reorder
// what an admin reads), and lone surrogates (invalid UTF-8 once stored).
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with unsafe characters replaced by U+FFFD and cut to `maxBytes` of UTF-8 (never inside a character). */
export function cleanText(text: string, maxBytes = LOG_TEXT_MAX_BYTES): string {
  const clean = text.replace(UNSAFE, '\uFFFD');
  if (Buffer.byteLength(clean, 'utf8') <= maxBytes) return clean;
  let bytes = 0;
  let end = 0;
  for (const ch of clean) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += ch.length;
  }
  return clean.slice(0, end);
}

/** Every string inside a detail object cleaned and cut; numbers, booleans and null kept. */
function cleanDetail(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanDetail);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k, 128), cleanDetail(v)]));
  return value;
}

export type DecisionListener = (entries: DecisionEntry[]) => void;

/** Writes decisions (one multi-row insert per call) and tells the listeners. */
export class SyncLog {
  private readonly listeners: DecisionListener[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly workerId: string,
  ) {}

  onDecision(listener: DecisionListener): void {
    this.listeners.push(listener);
  }

  /** Tells the listeners of decisions another writer (the plugin's write endpoint) already logged. */
  recorded(entries: DecisionEntry[]): void {
    for (const listener of this.listeners) listener(entries);
  }

  async record(entries: DecisionEntry[], now: Date): Promise<void> {
    if (entries.length === 0) return;
    await insertLogRows(
      this.db,
      entries.map((e) => ({
        created_at: now,
        direction: e.direction,
        decision: e.decision,
        order_id: e.orderId ?? null,
        crm_order_id: e.crmOrderId ?? null,
        event_id: e.eventId ?? null,
        subscription_id: e.subscriptionId ?? null,
        attempt: e.attempt,
        from_status: e.fromStatus != null ? cleanText(e.fromStatus, 32) : null,
        to_status: e.toStatus != null ? cleanText(e.toStatus, 32) : null,
        latency_ms: e.latencyMs ?? null,
        error_class: e.errorClass ?? null,
        message: e.message != null ? cleanText(e.message, 2000) : null,
        detail: e.detail ? JSON.stringify(cleanDetail(e.detail)) : null,
        worker: this.workerId,
      })),
    );
    for (const listener of this.listeners) listener(entries);
  }
}
