// Helpers for the incoming path: configure the plugin for a CRM, sign and send CRM events like a
// CRM would (with the independent standardwebhooks implementation), make orders, read the results.
import { Webhook } from 'standardwebhooks';
import type { SiteState } from '../stack/wordpress.ts';
import { dbPool, site, wpEval, wpEvalJson } from './stack.ts';

export const TEST_SECRET = 'whsec_' + Buffer.from('crm-bridge-test-signing-secret-32').toString('base64');
export const CRM_TOKEN = 'crm-api-token-for-tests';

/** The plugin's default status mapping (plugin/src/Settings.php). */
export const DEFAULT_MAPPING: Record<string, string> = {
  pending: 'pending',
  paid: 'processing',
  processing: 'processing',
  on_hold: 'on-hold',
  shipped: 'completed',
  completed: 'completed',
  cancelled: 'cancelled',
  refunded: 'refunded',
  failed: 'failed',
};

/** Points the plugin at a CRM and sets the incoming signing secret; extra settings merge in. */
export function configureCrm(crmUrl: string, extra: Record<string, unknown> = {}, s: SiteState = site()): void {
  const settings = {
    crm: { base_url: crmUrl, auth_mode: 'bearer', order_url_template: '/orders/{crm_order_id}', version_source: 'version', timeout_ms: 2000 },
    retry: { max_attempts: 5, base_delay_ms: 50, max_delay_ms: 500 },
    mapping: DEFAULT_MAPPING,
    ...extra,
  };
  wpEval(
    `\\CrmBridge\\Settings::update( json_decode( ${JSON.stringify(JSON.stringify(settings))}, true ) );
     \\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::INCOMING, ${JSON.stringify(TEST_SECRET)} );
     \\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::CRM_TOKEN, ${JSON.stringify(CRM_TOKEN)} );`,
    s,
  );
}

export interface SendOptions {
  id: string;
  body: string;
  secret?: string;
  timestamp?: Date;
  contentType?: string;
  headers?: Record<string, string>;
  path?: string;
}

/** Signs like a Standard Webhooks sender and POSTs to the receiver. */
export async function sendEvent(opts: SendOptions, s: SiteState = site()): Promise<Response> {
  const ts = opts.timestamp ?? new Date();
  const signature = new Webhook((opts.secret ?? TEST_SECRET).replace(/^whsec_/, '')).sign(opts.id, ts, opts.body);
  return fetch(`${s.url}${opts.path ?? '/wp-json/crm-bridge/v1/crm/events'}`, {
    method: 'POST',
    headers: {
      'content-type': opts.contentType ?? 'application/json',
      'webhook-id': opts.id,
      'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)),
      'webhook-signature': signature,
      ...opts.headers,
    },
    body: opts.body,
  });
}

export function statusEvent(crmOrderId: string, status: string, version: number): string {
  return JSON.stringify({ type: 'order.status_changed', data: { crm_order_id: crmOrderId, status, version, updated_at: new Date().toISOString() } });
}

/** Creates WooCommerce orders through WC_Order (as a shop would) and returns their ids. */
export function createOrders(statuses: string[], s: SiteState = site()): number[] {
  return wpEvalJson<number[]>(
    `$ids = array();
     foreach ( json_decode( ${JSON.stringify(JSON.stringify(statuses))} ) as $status ) {
       $o = new WC_Order(); $o->set_status( $status ); $o->set_billing_email( 'buyer@shop.test' ); $o->set_total( '10.00' ); $ids[] = $o->save();
     }
     echo wp_json_encode( $ids );`,
    s,
  );
}

export interface OrderState {
  status: string;
  crmNotes: number;
  version: string;
}

export interface OrderDetails extends OrderState {
  crmOrderId: string;
}

/** Status, number of CRM notes, applied version and CRM order id of each order, read through WC_Order. */
export function orderDetails(ids: number[], s: SiteState = site()): Record<number, OrderDetails> {
  const out: Record<number, OrderDetails> = {};
  // A few hundred at a time, so one PHP process never holds thousands of orders.
  for (let i = 0; i < ids.length; i += 500) {
    Object.assign(
      out,
      wpEvalJson<Record<number, OrderDetails>>(
        `$out = array();
         foreach ( json_decode( ${JSON.stringify(JSON.stringify(ids.slice(i, i + 500)))} ) as $id ) {
           $o = wc_get_order( $id );
           $notes = array_filter( wc_get_order_notes( array( 'order_id' => $id ) ), fn( $n ) => false !== strpos( $n->content, 'Status set by the CRM' ) );
           $out[ $id ] = array( 'status' => $o->get_status(), 'crmNotes' => count( $notes ), 'version' => (string) $o->get_meta( '_crm_bridge_version' ), 'crmOrderId' => (string) $o->get_meta( '_crm_bridge_crm_order_id' ) );
         }
         echo wp_json_encode( (object) $out );`,
        s,
      ),
    );
  }
  return out;
}

/** Status, number of CRM notes and applied version of each order. */
export function orderStates(ids: number[], s: SiteState = site()): Record<number, OrderState> {
  return Object.fromEntries(Object.entries(orderDetails(ids, s)).map(([id, { crmOrderId: _crmOrderId, ...state }]) => [id, state]));
}

export async function inboxRows(eventId: string, s: SiteState = site()): Promise<{ status: string; attempts: number }[]> {
  const [rows] = await dbPool(s).query(`SELECT status, attempts FROM ${s.tablePrefix}crm_bridge_inbox WHERE event_id = ?`, [eventId]);
  return rows as { status: string; attempts: number }[];
}

export async function logDecisions(where: { eventId?: string; crmOrderId?: string }, s: SiteState = site()): Promise<{ decision: string; error_class: string | null; message: string | null; order_id: number | null }[]> {
  const [rows] = await dbPool(s).query(
    `SELECT decision, error_class, message, order_id FROM ${s.tablePrefix}crm_bridge_log WHERE ${where.eventId ? 'event_id = ?' : 'crm_order_id = ?'} ORDER BY id`,
    [where.eventId ?? where.crmOrderId],
  );
  return rows as { decision: string; error_class: string | null; message: string | null; order_id: number | null }[];
}

export async function refusalCount(refusalClass: string, s: SiteState = site()): Promise<number> {
  const [rows] = await dbPool(s).query(`SELECT refused_count FROM ${s.tablePrefix}crm_bridge_refusals WHERE refusal_class = ?`, [refusalClass]);
  return Number((rows as { refused_count: number }[])[0]?.refused_count ?? 0);
}

/** A unique suffix so tests sharing one database never see each other's orders and events. */
export const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
