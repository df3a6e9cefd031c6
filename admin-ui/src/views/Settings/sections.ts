// The settings page's sections in page order: what each is for, the README section that explains it,
// and its fields by dotted path (labels here; kind, bounds and defaults from the settings schema).
import { __ } from '@wordpress/i18n';
import type { Draft } from './schemaForm';

export interface FieldSpec {
  path: string;
  label: string;
  /** Replaces the schema's description under the field. */
  help?: string;
  /** Labels of an enum's values (the value itself otherwise). */
  options?: Record<string, string>;
  /** Shown only when the rest of the form makes it matter. */
  shownIf?: (draft: Draft) => boolean;
}

export interface Section {
  id: 'connection' | 'signature' | 'paths' | 'mapping' | 'lifecycle' | 'retries' | 'outgoing' | 'retention';
  title: string;
  help: string;
  /** The README heading that explains the section, as written there. */
  readme: string;
  fields: FieldSpec[];
}

const INCOMING = 'Incoming events (CRM → WooCommerce)';
// The section's help says what a dotted path is; each path's own help is its default.
const path = (p: string, label: string): FieldSpec => ({ path: p, label, help: '' });

export const SECTIONS: Section[] = [
  {
    id: 'connection',
    title: __('Connection', 'crm-bridge'),
    help: __('Where the sidecar reaches the CRM’s order API to read each order an event names, and how it signs in. The token itself is set under Secrets.', 'crm-bridge'),
    readme: 'Configuration',
    fields: [
      { path: 'crm.base_url', label: __('CRM API base URL', 'crm-bridge'), help: __('For example https://crm.example.com/api. Must be https and public, unless the sidecar allows private addresses.', 'crm-bridge') },
      { path: 'crm.auth_mode', label: __('Authentication', 'crm-bridge'), options: { bearer: __('Bearer token', 'crm-bridge'), basic: __('Basic (user and token)', 'crm-bridge'), header: __('Token in a header', 'crm-bridge') } },
      { path: 'crm.auth_header', label: __('Header name', 'crm-bridge'), shownIf: (d) => d['crm.auth_mode'] === 'header' },
      { path: 'crm.basic_user', label: __('User', 'crm-bridge'), shownIf: (d) => d['crm.auth_mode'] === 'basic' },
      { path: 'crm.order_url_template', label: __('Order URL template', 'crm-bridge'), help: __('The path of one order on the CRM API, with {crm_order_id} where its id goes, for example /orders/{crm_order_id}.', 'crm-bridge') },
      { path: 'crm.version_source', label: __('Order version', 'crm-bridge'), options: { version: __('An integer version field', 'crm-bridge'), updated_at: __('The updated_at date', 'crm-bridge') } },
      { path: 'crm.timeout_ms', label: __('CRM call timeout (ms)', 'crm-bridge'), help: __('How long the sidecar waits for the CRM to answer one call.', 'crm-bridge') },
    ],
  },
  {
    id: 'signature',
    title: __('The CRM’s signature', 'crm-bridge'),
    help: __('How the receiver checks that an event comes from your CRM, and who may send events at all. Events that fail are refused and counted on the Health tab.', 'crm-bridge'),
    readme: 'Security',
    fields: [
      { path: 'incoming.signature_mode', label: __('How the CRM signs its webhooks', 'crm-bridge'), options: { standard_webhooks: __('Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)', 'crm-bridge'), hmac: __('HMAC-SHA256 of the body in one header', 'crm-bridge') } },
      { path: 'incoming.hmac_header', label: __('Signature header', 'crm-bridge'), shownIf: (d) => d['incoming.signature_mode'] === 'hmac' },
      { path: 'incoming.hmac_encoding', label: __('Signature encoding', 'crm-bridge'), shownIf: (d) => d['incoming.signature_mode'] === 'hmac' },
      { path: 'incoming.event_id_path', label: __('Event id path in the body', 'crm-bridge'), help: __('Required in HMAC mode: the id must come from the signed body.', 'crm-bridge'), shownIf: (d) => d['incoming.signature_mode'] === 'hmac' },
      { path: 'incoming.tolerance_seconds', label: __('Signature age tolerance (seconds)', 'crm-bridge') },
      { path: 'incoming.max_body_bytes', label: __('Largest event body (bytes)', 'crm-bridge') },
      { path: 'incoming.allowed_ips', label: __('Allowed sender addresses', 'crm-bridge'), help: __('IP addresses or CIDR ranges (IPv4 or IPv6), one a line. Empty: any address.', 'crm-bridge') },
      { path: 'incoming.trusted_proxies', label: __('Trusted proxies', 'crm-bridge'), help: __('CIDR ranges of your load balancers or proxies, one a line.', 'crm-bridge') },
      { path: 'incoming.client_ip_header', label: __('Client address header', 'crm-bridge'), help: __('For example X-Forwarded-For; read only from a trusted proxy. Empty: none.', 'crm-bridge') },
    ],
  },
  {
    id: 'paths',
    title: __('Where the CRM puts things', 'crm-bridge'),
    help: __('Dotted JSON paths: names joined by dots, such as data.status or items.0.id (no $, brackets or spaces).', 'crm-bridge'),
    readme: INCOMING,
    fields: [
      path('incoming.paths.type', __('Event type in the event', 'crm-bridge')),
      path('incoming.paths.crm_order_id', __('CRM order id in the event', 'crm-bridge')),
      path('incoming.paths.status', __('Status in the event', 'crm-bridge')),
      path('incoming.paths.version', __('Version in the event', 'crm-bridge')),
      path('incoming.paths.updated_at', __('Update time in the event', 'crm-bridge')),
      path('crm.paths.status', __('Path to status', 'crm-bridge')),
      path('crm.paths.version', __('Path to version', 'crm-bridge')),
      path('crm.paths.updated_at', __('Path to updated_at', 'crm-bridge')),
      path('crm.paths.woo_order_id', __('Path to woo_order_id', 'crm-bridge')),
      path('outgoing.crm_order_id_path', __('CRM order id in the CRM’s answer to a delivery', 'crm-bridge')),
    ],
  },
  {
    id: 'mapping',
    title: __('Status mapping', 'crm-bridge'),
    help: __('Which WooCommerce status each CRM status becomes. A CRM status not listed here is logged and not applied.', 'crm-bridge'),
    readme: INCOMING,
    fields: [],
  },
  {
    id: 'lifecycle',
    title: __('Lifecycle', 'crm-bridge'),
    help: __('Statuses the CRM cannot move an order out of, and the moves out of them that are allowed anyway.', 'crm-bridge'),
    readme: INCOMING,
    fields: [
      { path: 'lifecycle.final_statuses', label: __('Final statuses', 'crm-bridge'), help: __('WooCommerce statuses, one a line, e.g. completed, cancelled, refunded.', 'crm-bridge') },
      { path: 'lifecycle.allowed_transitions', label: __('Allowed moves out of a final status', 'crm-bridge'), help: __('One pair a line, e.g. completed > refunded.', 'crm-bridge') },
    ],
  },
  {
    id: 'retries',
    title: __('Retries and concurrency', 'crm-bridge'),
    help: __('An incoming event that fails for a passing reason (the CRM or WordPress busy or down) is retried with growing delays, then dead-lettered.', 'crm-bridge'),
    readme: 'Reliability',
    fields: [
      { path: 'retry.max_attempts', label: __('Attempts per incoming event', 'crm-bridge') },
      { path: 'retry.base_delay_ms', label: __('First retry delay (ms)', 'crm-bridge') },
      { path: 'retry.max_delay_ms', label: __('Longest retry delay (ms)', 'crm-bridge') },
      { path: 'concurrency', label: __('Most jobs at once', 'crm-bridge'), help: __('The most events one sidecar works on at once. The sidecar adapts below this ceiling when the CRM or WordPress slows down.', 'crm-bridge') },
    ],
  },
  {
    id: 'outgoing',
    title: __('Outgoing', 'crm-bridge'),
    help: __('Deliveries of order events to the subscriptions (set up on the Subscriptions tab).', 'crm-bridge'),
    readme: 'Outgoing events (WooCommerce → CRM and other subscribers)',
    fields: [
      { path: 'outgoing.timeout_ms', label: __('Delivery timeout (ms)', 'crm-bridge') },
      { path: 'outgoing.max_attempts', label: __('Attempts per delivery', 'crm-bridge') },
      { path: 'outgoing.base_delay_ms', label: __('First delivery retry delay (ms)', 'crm-bridge') },
      { path: 'outgoing.max_delay_ms', label: __('Longest delivery retry delay (ms)', 'crm-bridge') },
      { path: 'outgoing.disable_after_hours', label: __('Pause a failing subscription after (hours)', 'crm-bridge') },
      { path: 'outgoing.secret_grace_hours', label: __('A rotated secret stays valid for (hours)', 'crm-bridge') },
    ],
  },
  {
    id: 'retention',
    title: __('Retention', 'crm-bridge'),
    help: __('How long the sync log, the audit trail and finished queue rows are kept, what the log masks, and what deleting the plugin removes.', 'crm-bridge'),
    readme: INCOMING,
    fields: [
      { path: 'retention_days', label: __('Retention (days)', 'crm-bridge') },
      { path: 'log.mask_fields', label: __('Fields masked in the log', 'crm-bridge'), help: __('Payload fields (personal data) shown masked in the sync log, one a line.', 'crm-bridge') },
      { path: 'delete_data_on_uninstall', label: __('Delete all CRM Bridge data (tables, settings, secrets, roles) when the plugin is deleted', 'crm-bridge'), help: __('Orders keep their notes either way.', 'crm-bridge') },
    ],
  },
];

/** Every field path the page edits (the mapping is edited as a whole). */
export const FIELD_PATHS = SECTIONS.flatMap((s) => s.fields.map((f) => f.path));
