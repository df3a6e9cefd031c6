// The two queues share one mechanism: the same status columns, leases and outcomes. They differ in
// their table and in what "one at a time" means: per CRM order for the inbox, per subscription and
// order for the outbox.
export const QUEUES = {
  inbox: { table: 'crm_bridge_inbox', orderKey: ['crm_order_id'] },
  outbox: { table: 'crm_bridge_outbox', orderKey: ['subscription_id', 'order_id'] },
} as const;

export type QueueName = keyof typeof QUEUES;

/**
 * Both tables have the columns the queue mechanics touch; kysely checks those statements against
 * the inbox's row type, which the outbox's matches for every column used.
 */
export const tableOf = (queue: QueueName) => QUEUES[queue].table as 'crm_bridge_inbox';
