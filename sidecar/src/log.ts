// The sync log: every decision about an event, with its order, event id, attempt, timing and error
// class, as rows users read in wp-admin. Workers emit decisions; this writer and the metrics listen.
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';

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
    await this.db
      .insertInto('crm_bridge_log')
      .values(
        entries.map((e) => ({
          created_at: now,
          direction: e.direction,
          decision: e.decision,
          order_id: e.orderId ?? null,
          crm_order_id: e.crmOrderId ?? null,
          event_id: e.eventId ?? null,
          subscription_id: e.subscriptionId ?? null,
          attempt: e.attempt,
          from_status: e.fromStatus?.slice(0, 32) ?? null,
          to_status: e.toStatus?.slice(0, 32) ?? null,
          latency_ms: e.latencyMs ?? null,
          error_class: e.errorClass ?? null,
          message: e.message?.slice(0, 2000) ?? null,
          detail: e.detail ? JSON.stringify(e.detail) : null,
          worker: this.workerId,
        })),
      )
      .execute();
    for (const listener of this.listeners) listener(entries);
  }
}
