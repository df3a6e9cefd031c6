// The settings document (option crm_bridge_settings) as zod: the same constraints as the plugin's
// plugin/settings.schema.json, which a contract test holds it to. No other imports, so the admin
// screen validates with it too.
import { z } from 'zod';

// Each pattern is written as in the JSON Schema (String.raw, so the contract test compares them as
// text), with the schema's description of the form, which is also the message when a value breaks it.
const formed = (schema: z.ZodString, source: string, description: string) => schema.regex(new RegExp(source), { error: `Enter ${description}.` }).describe(description);
// The dotted paths both readers (JsonPath.php, crmDocument.ts) follow: names joined by dots.
const path = formed(z.string().min(1).max(200), String.raw`^[^.\t\n\x0B\f\r \[\]$*]+(\.[^.\t\n\x0B\f\r \[\]$*]+)*$`, 'a dotted JSON path such as data.status (names joined by dots, no spaces, brackets or $)');
const header = formed(z.string(), String.raw`^[A-Za-z0-9!#$%&'*+.^_${'`'}|~-]{1,64}$`, 'an HTTP header name such as X-Signature');
const status = formed(z.string().min(1).max(64), String.raw`^[a-z0-9_-]+$`, 'a WooCommerce order status such as processing');
const ranges = z.array(z.string().min(1).max(64)).max(200);
const int = (min: number, max: number) => z.number().int().min(min).max(max);
/** An optional text setting is left out of the document when not set; readers see ''. */
const optional = (schema: z.ZodString) => schema.default('');

export const settingsSchema = z.strictObject({
  incoming: z.strictObject({
    signature_mode: z.enum(['standard_webhooks', 'hmac']),
    hmac_header: header,
    hmac_encoding: z.enum(['hex', 'base64']),
    event_id_path: optional(path),
    allowed_ips: ranges,
    trusted_proxies: ranges,
    client_ip_header: optional(header),
    max_body_bytes: int(1024, 10485760),
    tolerance_seconds: int(30, 3600),
    paths: z.strictObject({ type: path, crm_order_id: path, status: path, version: path, updated_at: path }),
  }),
  crm: z.strictObject({
    base_url: optional(z.string().min(1).max(2048)),
    auth_mode: z.enum(['bearer', 'basic', 'header']),
    auth_header: header,
    basic_user: optional(z.string().min(1).max(191)),
    order_url_template: formed(z.string().max(2048), String.raw`^/[^@\\#\s]*\{crm_order_id\}[^@\\#\s]*$`, 'a path on the CRM API that starts with / and contains {crm_order_id}, such as /orders/{crm_order_id}'),
    version_source: z.enum(['version', 'updated_at']),
    timeout_ms: int(100, 60000),
    paths: z.strictObject({ status: path, version: path, updated_at: path, woo_order_id: path }),
  }),
  outgoing: z.strictObject({
    crm_order_id_path: path,
    timeout_ms: int(100, 60000),
    max_attempts: int(1, 100),
    base_delay_ms: int(100, 86400000),
    max_delay_ms: int(1000, 604800000),
    disable_after_hours: int(1, 8760),
    secret_grace_hours: int(0, 168),
  }),
  mapping: z.record(z.string(), status),
  lifecycle: z.strictObject({
    final_statuses: z.array(status).max(64),
    allowed_transitions: z.array(z.array(status).length(2)).max(256),
  }),
  retry: z.strictObject({ max_attempts: int(1, 100), base_delay_ms: int(10, 3600000), max_delay_ms: int(10, 86400000) }),
  log: z.strictObject({ mask_fields: z.array(z.string().min(1).max(191)).max(200) }),
  retention_days: int(1, 3650),
  concurrency: int(1, 256).describe('The most CRM events one sidecar works on at once. Below it, the sidecar sizes the work in flight from what it observes (job times, rate limits, timeouts).'),
  delete_data_on_uninstall: z.boolean(),
});

/** The document as stored and as the settings API sends it (optional settings may be absent). */
export type SettingsDocument = z.input<typeof settingsSchema>;
/** The document as read: an optional text setting that is not set is ''. */
export type ParsedSettings = z.output<typeof settingsSchema>;
/** What the sidecar reads of it (the receiver's limits, the lifecycle rules and the log mask are the plugin's). */
export type Settings = Omit<ParsedSettings, 'incoming' | 'outgoing' | 'lifecycle' | 'log' | 'delete_data_on_uninstall'> & {
  incoming: Pick<ParsedSettings['incoming'], 'paths'>;
  outgoing: Omit<ParsedSettings['outgoing'], 'secret_grace_hours'>;
};
