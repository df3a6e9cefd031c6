// The one module that talks to the plugin's admin REST API. Every response is parsed by a schema,
// and every failure becomes an ApiError with the server's code and message for a visible notice.
import apiFetch from '@wordpress/api-fetch';
import { __, sprintf } from '@wordpress/i18n';
import { z } from 'zod';
import { settingsSchema, type ParsedSettings } from '../../../sidecar/src/settingsSchema';

export const NAMESPACE = '/crm-bridge/v1';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
    /** Field → message, for validation errors shown next to their field. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const wpErrorSchema = z.object({ code: z.string(), message: z.string(), data: z.object({ status: z.number(), errors: z.record(z.string(), z.string()) }).partial().nullish() });

async function request<T>(schema: z.ZodType<T>, options: { path: string; method?: string; data?: unknown }): Promise<T> {
  let body: unknown;
  try {
    body = await apiFetch({ ...options, path: NAMESPACE + options.path });
  } catch (err) {
    const parsed = wpErrorSchema.safeParse(err);
    if (parsed.success) throw new ApiError(parsed.data.code, parsed.data.message, parsed.data.data?.status, parsed.data.data?.errors ?? {});
    throw new ApiError('network_error', err instanceof Error ? err.message : 'The request failed.');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError('invalid_response', `Unexpected response from ${options.path}: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

export const sidecarSchema = z.object({
  worker_id: z.string(),
  version: z.string(),
  hostname: z.string(),
  started_at: z.string(),
  heartbeat_at: z.string(),
  online: z.boolean(),
  open_circuits: z.array(z.string()).default([]),
  /** What the replica found wrong at start, such as database privileges beyond what it needs. */
  warnings: z.array(z.string()).default([]),
});

const queueSchema = z.object({ pending: z.number(), running: z.number(), dead: z.number(), oldest_pending_age_seconds: z.number().nullable() });
const windowSchema = z.object({ finished: z.number(), success_rate: z.number().nullable(), retries: z.number(), p95_latency_ms: z.number().nullable() });

/** Requests the receiver refused, by class, and the latest few (no bodies, no secrets). */
export const refusalsSchema = z.object({
  classes: z.array(z.object({ class: z.string(), count: z.number(), last_refused_at: z.string().nullable() })),
  samples: z.array(z.object({ class: z.string(), message: z.string(), at: z.string(), ip: z.string() })),
});
export type Refusals = z.infer<typeof refusalsSchema>;

export const healthSchema = z.object({
  plugin_version: z.string(),
  schema_version: z.number(),
  woocommerce_active: z.boolean(),
  sidecars: z.array(sidecarSchema),
  sidecar_online: z.boolean(),
  queues: z.object({ inbox: queueSchema, outbox: queueSchema }),
  last_hour: windowSchema,
  last_day: windowSchema,
  throughput: z.array(z.object({ at: z.string(), count: z.number() })),
  refusals: refusalsSchema.default({ classes: [], samples: [] }),
});

export type Health = z.infer<typeof healthSchema>;

export const HEALTH_RANGES = ['hour', 'day', 'week'] as const;
export type HealthRange = (typeof HEALTH_RANGES)[number];

const retryingQueueSchema = queueSchema.extend({ retrying: z.number() });
const dedupWindowSchema = windowSchema.extend({ duplicates: z.number() });

export const trafficSchema = z.object({
  range: z.enum(HEALTH_RANGES),
  bucket_seconds: z.number().int().positive(),
  /** WordPress's time zone: an IANA name, or an offset such as +05:30 for a site set to one. */
  site_timezone: z.string(),
  buckets: z.array(z.object({ at: z.string(), incoming: z.number(), outgoing: z.number(), failed: z.number() })),
});
export type Traffic = z.infer<typeof trafficSchema>;

export const checklistSchema = z.object({
  receiver_url: z.string(),
  sidecar_online: z.boolean(),
  crm_connected: z.boolean(),
  last_connection_test: z.object({ ok: z.boolean(), answered_at: z.string() }).nullable(),
  signing_secret_set: z.boolean(),
  signing_secret_used: z.boolean(),
  subscription: z.boolean(),
  first_event_received: z.boolean(),
});
export type Checklist = z.infer<typeof checklistSchema>;

/** The Health tab's document: health with retries waiting, dedup hits, traffic over a range and the first-run checklist. */
export const healthDocSchema = healthSchema.extend({
  queues: z.object({ inbox: retryingQueueSchema, outbox: retryingQueueSchema }),
  last_hour: dedupWindowSchema,
  last_day: dedupWindowSchema,
  traffic: trafficSchema,
  checklist: checklistSchema,
});
export type HealthDoc = z.infer<typeof healthDocSchema>;

export const getHealth = (range: HealthRange): Promise<HealthDoc> => request(healthDocSchema, { path: `/admin/health?range=${range}` });

/** problem 'too_short': a signing secret stored before the length rule; it verifies nothing until replaced. */
const secretStateSchema = z.object({ set: z.boolean(), rotated_at: z.string().nullable(), previous_valid_until: z.string().nullable(), problem: z.literal('too_short').nullable().default(null) });

export const settingsDocSchema = z.object({
  /** The document as the schema reads it: an optional text setting that is not set is ''. */
  settings: settingsSchema,
  secrets: z.object({ incoming_signing: secretStateSchema, crm_api_token: secretStateSchema, alerts_webhook_url: secretStateSchema }),
  receiver_url: z.string(),
  encryption_key_set: z.boolean(),
  /** The encryption key's state: 'short' counts as no key; problem is why secrets cannot be stored now. */
  encryption: z.object({ status: z.enum(['none', 'short', 'ok']), min_length: z.number(), problem: z.string().nullable() }),
  /** True in the answer to a save that changed the CRM host: the token was removed and must be entered again. */
  crm_token_cleared: z.boolean().optional(),
});
export type SettingsDoc = z.infer<typeof settingsDocSchema>;
/** Sections are merged key by key on the server, the mapping and lists replaced; '' clears an optional setting. */
export type SettingsPatch = { [K in keyof ParsedSettings]?: ParsedSettings[K] extends unknown[] | number | boolean ? ParsedSettings[K] : Partial<ParsedSettings[K]> };

/** The document without its empty texts: an optional setting left empty is not set (as the server stores it). */
function withoutBlanks(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== '').map(([k, v]) => [k, withoutBlanks(v)]));
}

/** The messages the server gives for the same errors (a pattern's message comes from the schema itself). */
function settingsMessage(issue: z.core.$ZodRawIssue): string | undefined {
  const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.code === 'too_big' ? issue.maximum : 0);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return __('This setting is required.', 'crm-bridge');
      return { number: __('Enter a whole number.', 'crm-bridge'), int: __('Enter a whole number.', 'crm-bridge'), boolean: __('Enter true or false.', 'crm-bridge'), array: __('Enter a list.', 'crm-bridge'), object: __('Send an object.', 'crm-bridge') }[String(issue.expected)] ?? __('Enter text.', 'crm-bridge');
    case 'too_small':
      if (issue.origin === 'string') return __('Enter a value.', 'crm-bridge');
      return issue.origin === 'array' ? sprintf(__('Enter at least %d entries.', 'crm-bridge'), bound) : sprintf(__('Enter a whole number of at least %d.', 'crm-bridge'), bound);
    case 'too_big':
      if (issue.origin === 'string') return sprintf(__('Enter text of at most %d characters.', 'crm-bridge'), bound);
      return issue.origin === 'array' ? sprintf(__('Enter at most %d entries.', 'crm-bridge'), bound) : sprintf(__('Enter a whole number of at most %d.', 'crm-bridge'), bound);
    case 'invalid_value':
      return sprintf(__('Choose one of: %s.', 'crm-bridge'), issue.values.join(', '));
    case 'unrecognized_keys':
      return sprintf(__('Unknown setting "%s".', 'crm-bridge'), issue.keys.join(', '));
    default:
      return undefined;
  }
}

/** Field errors (dotted path → message) of the document a save would make, by the schema the server and the sidecar use. */
export function settingsErrors(current: ParsedSettings, patch: SettingsPatch): Record<string, string> {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    const section = settingsSchema.shape[key as keyof ParsedSettings];
    merged[key] = section instanceof z.ZodObject ? { ...(current[key as keyof ParsedSettings] as object), ...(value as object) } : value;
  }
  const result = settingsSchema.safeParse(withoutBlanks(merged), { error: settingsMessage });
  const errors: Record<string, string> = {};
  for (const issue of result.success ? [] : result.error.issues) {
    // An entry of a list is reported at the list, which is one field in the form (as the server does).
    const index = issue.path.findIndex((step) => typeof step === 'number');
    errors[(index < 0 ? issue.path : issue.path.slice(0, index)).join('.')] ??= issue.message;
  }
  return errors;
}

export const getSettings = (): Promise<SettingsDoc> => request(settingsDocSchema, { path: '/admin/settings' });
/** Validates the save with the settings schema first, so field errors show without a round trip; the server checks again. */
export const saveSettings = (current: ParsedSettings, settings: SettingsPatch): Promise<SettingsDoc> => {
  const fields = settingsErrors(current, settings);
  if (Object.keys(fields).length > 0) return Promise.reject(new ApiError('crm_bridge_invalid_settings', __('Some settings need attention.', 'crm-bridge'), 400, fields));
  return request(settingsDocSchema, { path: '/admin/settings', method: 'PUT', data: { settings } });
};

/** WooCommerce's order statuses (custom ones included) and the subscription topics, as the server knows them. */
export const choicesSchema = z.object({ statuses: z.array(z.object({ value: z.string(), label: z.string() })), topics: z.array(z.string()) });
export type Choices = z.infer<typeof choicesSchema>;
export const getChoices = (): Promise<Choices> => request(choicesSchema, { path: '/admin/settings/choices' });
export const secretAction = (name: SecretName, action: 'set' | 'generate' | 'rotate' | 'revoke', value?: string) =>
  request(settingsDocSchema.extend({ secret: z.string().nullable() }), { path: '/admin/settings/secrets', method: 'POST', data: { name, action, value } });

export const logEntrySchema = z.object({
  id: z.number(),
  created_at: z.string(),
  direction: z.string(),
  decision: z.string(),
  order_id: z.number().nullable(),
  crm_order_id: z.string().nullable(),
  event_id: z.string().nullable(),
  subscription_id: z.number().nullable(),
  attempt: z.number(),
  from_status: z.string().nullable(),
  to_status: z.string().nullable(),
  latency_ms: z.number().nullable(),
  error_class: z.string().nullable(),
  message: z.string().nullable(),
  order_edit_url: z.string().nullable(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;
export type LogFilter = { order_id?: string; crm_order_id?: string; event_id?: string; direction?: string; decision?: string; error_class?: string; from?: string; to?: string };

export const deadLetterSchema = z.object({
  id: z.coerce.number(),
  event_id: z.string(),
  crm_order_id: z.string(),
  attempts: z.coerce.number(),
  last_error_class: z.string().nullable(),
  last_error: z.string().nullable(),
  finished_at: z.string().nullable(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
export const replayDeadLetters = (scope: { ids?: number[]; all?: boolean }) => request(z.object({ replayed: z.number() }), { path: '/admin/dead-letters/replay', method: 'POST', data: scope });

export const subscriptionSchema = z.object({
  id: z.number(),
  name: z.string(),
  url: z.string(),
  topics: z.array(z.string()),
  status_filter: z.array(z.string()),
  payload_mode: z.enum(['full', 'minimal']),
  is_crm: z.boolean(),
  active: z.boolean(),
  disabled_reason: z.string().nullable(),
  failing_since: z.string().nullable(),
  rate_limit_per_second: z.number().nullable(),
  secret_set: z.boolean(),
  secret_rotated_at: z.string().nullable(),
  previous_secret_valid_until: z.string().nullable(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;
export type SubscriptionInput = Pick<Subscription, 'name' | 'url' | 'topics' | 'status_filter' | 'payload_mode' | 'is_crm' | 'active'> & { rate_limit_per_second: number | null };

export const createSubscription = (input: SubscriptionInput) => request(subscriptionSchema.extend({ secret: z.string() }), { path: '/admin/subscriptions', method: 'POST', data: input });
export const updateSubscription = (id: number, input: Partial<SubscriptionInput>) => request(subscriptionSchema, { path: `/admin/subscriptions/${id}`, method: 'PATCH', data: input });
export const deleteSubscription = (id: number) => request(z.object({ deleted: z.boolean() }), { path: `/admin/subscriptions/${id}`, method: 'DELETE' });
export const rotateSubscriptionSecret = (id: number) => request(subscriptionSchema.extend({ secret: z.string() }), { path: `/admin/subscriptions/${id}/rotate-secret`, method: 'POST' });
export const sendTestEvent = (id: number) => request(z.object({ queued: z.boolean(), webhook_id: z.string() }), { path: `/admin/subscriptions/${id}/test`, method: 'POST' });
export const discardDeadLetters = (ids: number[]) => request(z.object({ discarded: z.number() }), { path: '/admin/dead-letters/discard', method: 'POST', data: { ids } });
export const logDetailSchema = z.object({
  entry: z.object({ id: z.coerce.number(), detail: z.unknown().nullable() }).passthrough(),
  attempts: z.array(z.object({ id: z.coerce.number(), created_at: z.string(), decision: z.string(), attempt: z.coerce.number(), latency_ms: z.coerce.number().nullable(), error_class: z.string().nullable(), message: z.string().nullable() })),
  payload: z.unknown().nullable(),
});
export type LogDetail = z.infer<typeof logDetailSchema>;
export const getLogEntry = (id: number) => request(logDetailSchema, { path: `/admin/log/${id}` });

export const auditEntrySchema = z.object({
  id: z.number(),
  created_at: z.string(),
  user_id: z.number(),
  user_login: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.unknown().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export const getAudit = (page: number, perPage = 50) =>
  request(z.object({ items: z.array(auditEntrySchema), total: z.number(), page: z.number(), per_page: z.number() }), { path: `/admin/audit?page=${page}&per_page=${perPage}` });

// The sync log as the log screen reads it: rows with their subscription and topic, the site's time
// zone, the CSV export of the same filters; and each subscription's delivery health.
export const logRowSchema = logEntrySchema.extend({ subscription_name: z.string().nullable(), topic: z.string().nullable(), detail: z.unknown().nullable() });
export type LogRow = z.infer<typeof logRowSchema>;
const logQuery = (filter: LogFilter, extra: Record<string, string> = {}): string =>
  new URLSearchParams(Object.entries({ ...filter, ...extra }).filter(([, v]) => v !== undefined && v !== '') as [string, string][]).toString();
export const getLogPage = (filter: LogFilter, beforeId?: number) =>
  request(z.object({ items: z.array(logRowSchema), next_before_id: z.number().nullable(), site_timezone: z.string() }), { path: `/admin/log?${logQuery(filter, beforeId ? { before_id: String(beforeId) } : {})}` });
/** The filtered rows as a CSV file, newest first (at most the server's row limit). */
export async function getLogCsv(filter: LogFilter): Promise<{ csv: Blob; rowLimit: number }> {
  try {
    const res = (await apiFetch({ path: `${NAMESPACE}/admin/log.csv?${logQuery(filter)}`, parse: false })) as Response;
    return { csv: await res.blob(), rowLimit: Number(res.headers.get('X-CRM-Bridge-Row-Limit') ?? 0) };
  } catch (err) {
    const body: unknown = err instanceof Response ? await err.json().catch(() => null) : err;
    const parsed = wpErrorSchema.safeParse(body);
    throw parsed.success ? new ApiError(parsed.data.code, parsed.data.message, parsed.data.data?.status) : new ApiError('network_error', __('The export failed.', 'crm-bridge'));
  }
}
export const subscriptionHealthSchema = z.object({
  window_hours: z.number(),
  attempts: z.number(),
  delivered: z.number(),
  success_rate: z.number().nullable(),
  last_attempt: z.object({ at: z.string(), decision: z.string(), status_code: z.number().nullable(), message: z.string().nullable() }).nullable(),
});
export type SubscriptionHealth = z.infer<typeof subscriptionHealthSchema>;
export const subscriptionWithHealthSchema = subscriptionSchema.extend({ health: subscriptionHealthSchema });
export type SubscriptionWithHealth = z.infer<typeof subscriptionWithHealthSchema>;
export const getSubscriptionsWithHealth = () => request(z.object({ items: z.array(subscriptionWithHealthSchema), site_timezone: z.string() }), { path: '/admin/subscriptions' });

// Test connection: the connection settings on the screen (saved or not) and a CRM order to fetch.
export interface ConnectionTestRequest {
  settings: { crm: unknown; mapping: Record<string, string> };
  /** Blank: the saved token. */
  crm_token: string;
  /** Blank: the order linked last. */
  crm_order_id: string;
}
export const connectionTestDetailSchema = z.object({
  step: z.string().nullable(),
  crm_order_id: z.string(),
  url: z.string().nullable(),
  http_status: z.number().nullable(),
  path: z.string().nullable(),
  found: z.string().nullable(),
  status: z.string().nullable(),
  version_source: z.string(),
  version: z.number().nullable(),
  updated_at: z.string().nullable(),
  woo_status: z.string().nullable(),
});
export type ConnectionTestDetail = z.infer<typeof connectionTestDetailSchema>;
export const requestConnectionTest = (data: ConnectionTestRequest) =>
  request(z.object({ id: z.string(), crm_order_id: z.string(), token_source: z.enum(['typed', 'saved', 'none']) }), { path: '/admin/settings/test-connection', method: 'POST', data });
export const getConnectionTest = (id: string) =>
  request(
    z.object({ done: z.boolean(), ok: z.boolean().optional(), message: z.string().optional(), latency_ms: z.number().nullable().optional(), detail: connectionTestDetailSchema.nullable().optional() }),
    { path: `/admin/settings/test-connection/${id}` },
  );

// Alerts: the webhook URL is a secret (secretAction); a test alert reports whether it arrived.
export type SecretName = 'incoming_signing' | 'crm_api_token' | 'alerts_webhook_url';
export const sendTestAlert = () => request(z.object({ sent: z.boolean(), status: z.number().nullable(), error: z.string().nullable() }), { path: '/admin/alerts/test', method: 'POST' });

// Outgoing deliveries (the Deliveries tab), and where replayed dead letters are now.
export const DELIVERY_STATES = ['pending', 'retrying', 'sending', 'delivered', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const deliverySchema = z.object({
  id: z.number(),
  webhook_id: z.string(),
  subscription_id: z.number(),
  subscription_name: z.string().nullable(),
  order_id: z.number(),
  topic: z.string(),
  state: z.enum(DELIVERY_STATES),
  attempts: z.number(),
  next_try_at: z.string().nullable(),
  last_status_code: z.number().nullable(),
  last_error_class: z.string().nullable(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  order_edit_url: z.string().nullable(),
});
export type Delivery = z.infer<typeof deliverySchema>;

const headersSchema = z.record(z.string(), z.string());
/** What an attempt's log row records; rows written before attempts were recorded in full lack most of it. */
const attemptDetailSchema = z.object({
  topic: z.string().optional(),
  status_code: z.number().nullable().default(null),
  response: z.string().nullable().default(null),
  retry_at: z.string().nullable().default(null),
  duration_ms: z.number().nullable().default(null),
  request: z.object({ method: z.string(), url: z.string(), headers: headersSchema, body_ref: z.string().optional() }).nullable().default(null),
  answer: z.object({ status: z.number(), headers: headersSchema, truncated: z.boolean() }).nullable().default(null),
  failure: z.object({ step: z.string(), code: z.string() }).nullable().default(null),
});
export const deliveryAttemptSchema = z.object({
  id: z.number(),
  created_at: z.string(),
  decision: z.string(),
  attempt: z.number(),
  latency_ms: z.number().nullable(),
  error_class: z.string().nullable(),
  message: z.string().nullable(),
  detail: attemptDetailSchema.nullable().transform((d) => d ?? attemptDetailSchema.parse({})),
});
export type DeliveryAttempt = z.infer<typeof deliveryAttemptSchema>;

export type DeliveryFilter = { state?: DeliveryState | undefined; subscription_id?: number | undefined; page: number; per_page?: number };
export const getDeliveries = (filter: DeliveryFilter) => {
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  return request(
    z.object({ items: z.array(deliverySchema), total: z.number(), page: z.number(), per_page: z.number(), subscriptions: z.array(z.object({ id: z.number(), name: z.string() })) }),
    { path: `/admin/deliveries?${query.toString()}` },
  );
};
export const getDelivery = (id: number) => request(z.object({ delivery: deliverySchema, attempts: z.array(deliveryAttemptSchema) }), { path: `/admin/deliveries/${id}` });
/** Delivered ('done') or dead deliveries back to the outbox, same webhook id; the answer is how many were queued. */
export const replayDeliveries = (ids: number[], status: 'dead' | 'done') => request(z.object({ replayed: z.number() }), { path: '/admin/deliveries/replay', method: 'POST', data: { ids, status } });
export const discardDeliveries = (ids: number[]) => request(z.object({ discarded: z.number() }), { path: '/admin/deliveries/discard', method: 'POST', data: { ids } });

export const deadLetterRowSchema = deadLetterSchema.extend({ received_at: z.string() });
export const watchedRowSchema = z.object({ id: z.number(), status: z.enum(['pending', 'running', 'done', 'dead']), attempts: z.number(), last_error_class: z.string().nullable(), last_error: z.string().nullable() });
export type WatchedRow = z.infer<typeof watchedRowSchema>;
/** The dead letters, and where the rows in `watch` (replayed ones) are now. */
export const getDeadLettersWatching = (watch: number[]) =>
  request(z.object({ items: z.array(deadLetterRowSchema), watched: z.array(watchedRowSchema) }), { path: `/admin/dead-letters?${watch.map((id) => `watch[]=${id}`).join('&')}` });
