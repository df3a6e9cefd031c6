// Helpers for the trust checks of the incoming path: announce orders to the CRM as the outbox does,
// read the refusal counters the Health tab shows, and change the receiver's settings for one test.
import type { SiteState } from '../stack/wordpress.ts';
import { wpEval, wpEvalJson, site } from './stack.ts';

/**
 * Records an `order.created` delivery to a CRM subscription for each order, as the outbox does when a
 * CRM subscription is active. The subscription is inactive, so nothing is ever sent to it.
 */
export function announceToCrm(orderIds: number[], s: SiteState = site()): void {
  wpEval(
    `global $wpdb;
     $subs = $wpdb->prefix . 'crm_bridge_subscriptions';
     $id = (int) $wpdb->get_var( "SELECT id FROM $subs WHERE name = 'CRM (announcements for tests)'" );
     if ( ! $id ) {
       $id = (int) \\CrmBridge\\Subscriptions::create( array( 'name' => 'CRM (announcements for tests)', 'url' => 'https://crm.example/webhooks', 'topics' => array( 'order.created' ), 'status_filter' => array(), 'payload_mode' => 'minimal', 'is_crm' => true, 'active' => false, 'rate_limit_per_second' => null ) )['id'];
     }
     foreach ( json_decode( ${JSON.stringify(JSON.stringify(orderIds))} ) as $order_id ) {
       $wpdb->insert( $wpdb->prefix . 'crm_bridge_outbox', array( 'webhook_id' => 'msg_' . wp_generate_uuid4(), 'subscription_id' => $id, 'order_id' => $order_id, 'topic' => 'order.created', 'order_version' => gmdate( 'c' ), 'payload' => '{}', 'status' => 'done', 'attempts' => 1, 'run_after' => gmdate( 'Y-m-d H:i:s' ), 'created_at' => gmdate( 'Y-m-d H:i:s' ), 'finished_at' => gmdate( 'Y-m-d H:i:s' ) ) );
     }`,
    s,
  );
}

export interface RefusalSummary {
  classes: { class: string; count: number; last_refused_at: string | null }[];
  samples: { class: string; message: string; at: string; ip: string }[];
}

/** The refusal counters and samples, including those not yet written to the database. */
export function refusalSummary(s: SiteState = site()): RefusalSummary {
  return wpEvalJson<RefusalSummary>(`echo wp_json_encode( \\CrmBridge\\Refusals::summary() );`, s);
}

export function refusalTotal(refusalClass: string, s: SiteState = site()): number {
  return refusalSummary(s).classes.find((c) => c.class === refusalClass)?.count ?? 0;
}

/** Merges settings into the stored ones without validation (the receiver reads missing keys as empty). */
export function updateSettings(settings: Record<string, unknown>, s: SiteState = site()): void {
  wpEval(`\\CrmBridge\\Settings::update( json_decode( ${JSON.stringify(JSON.stringify(settings))}, true ) );`, s);
}
