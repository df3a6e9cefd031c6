// PHP that announces orders to the CRM the way the outbox does: free of the test runner, so the
// benchmarks use it too. A CRM may claim an order (its woo_order_id) only once it was announced.

/**
 * Records an `order.created` delivery to a CRM subscription for each order. The subscription is
 * inactive, so nothing is ever sent to it.
 */
export function announceToCrmPhp(orderIds: number[]): string {
  return `global $wpdb;
     $subs = $wpdb->prefix . 'crm_bridge_subscriptions';
     $id = (int) $wpdb->get_var( "SELECT id FROM $subs WHERE name = 'CRM (announcements for tests)'" );
     if ( ! $id ) {
       $id = (int) \\CrmBridge\\Subscriptions::create( array( 'name' => 'CRM (announcements for tests)', 'url' => 'https://crm.example/webhooks', 'topics' => array( 'order.created' ), 'status_filter' => array(), 'payload_mode' => 'minimal', 'is_crm' => true, 'active' => false, 'rate_limit_per_second' => null ) )['id'];
     }
     foreach ( json_decode( ${JSON.stringify(JSON.stringify(orderIds))} ) as $order_id ) {
       $wpdb->insert( $wpdb->prefix . 'crm_bridge_outbox', array( 'webhook_id' => 'msg_' . wp_generate_uuid4(), 'subscription_id' => $id, 'order_id' => $order_id, 'topic' => 'order.created', 'order_version' => gmdate( 'c' ), 'payload' => '{}', 'status' => 'done', 'attempts' => 1, 'run_after' => gmdate( 'Y-m-d H:i:s' ), 'created_at' => gmdate( 'Y-m-d H:i:s' ), 'finished_at' => gmdate( 'Y-m-d H:i:s' ) ) );
     }`;
}
