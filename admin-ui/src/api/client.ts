// The one module that talks to the plugin's admin REST API. Every response is parsed by a schema,
// and every failure becomes an ApiError with the server's code and message for a visible notice.
import apiFetch from '@wordpress/api-fetch';
import { z } from 'zod';

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

export const getHealth = (): Promise<Health> => request(healthSchema, { path: '/admin/health' });

/** problem 'too_short': a signing secret stored before the length rule; it verifies nothing until replaced. */
const secretStateSchema = z.object({ set: z.boolean(), rotated_at: z.string().nullable(), previous_valid_until: z.string().nullable(), problem: z.literal('too_short').nullable().default(null) });

export const settingsDocSchema = z.object({
  settings: z.object({
    crm: z.object({
      base_url: z.string(),
      auth_mode: z.enum(['bearer', 'basic', 'header']),
      auth_header: z.string(),
      basic_user: z.string(),
      order_url_template: z.string(),
      version_source: z.enum(['version', 'updated_at']),
      timeout_ms: z.number(),
      paths: z.object({ status: z.string(), version: z.string(), updated_at: z.string(), woo_order_id: z.string() }),
    }),
    incoming: z.object({
      signature_mode: z.enum(['standard_webhooks', 'hmac']),
      hmac_header: z.string(),
      hmac_encoding: z.enum(['hex', 'base64']),
      event_id_path: z.string(),
      allowed_ips: z.array(z.string()),
      trusted_proxies: z.array(z.string()),
      client_ip_header: z.string(),
    }),
    mapping: z.record(z.string(), z.string()),
    lifecycle: z.object({ final_statuses: z.array(z.string()), allowed_transitions: z.array(z.array(z.string())) }),
    retention_days: z.number(),
    delete_data_on_uninstall: z.boolean(),
  }),
  secrets: z.object({ incoming_signing: secretStateSchema, crm_api_token: secretStateSchema }),
  receiver_url: z.string(),
  encryption_key_set: z.boolean(),
  /** The encryption key's state: 'short' counts as no key; problem is why secrets cannot be stored now. */
  encryption: z.object({ status: z.enum(['none', 'short', 'ok']), min_length: z.number(), problem: z.string().nullable() }),
  /** True in the answer to a save that changed the CRM host: the token was removed and must be entered again. */
  crm_token_cleared: z.boolean().optional(),
});
export type SettingsDoc = z.infer<typeof settingsDocSchema>;
export type SettingsPatch = {
  crm?: Partial<SettingsDoc['settings']['crm']>;
  incoming?: Partial<SettingsDoc['settings']['incoming']>;
  mapping?: Record<string, string>;
  lifecycle?: SettingsDoc['settings']['lifecycle'];
  retention_days?: number;
  delete_data_on_uninstall?: boolean;
};

export const getSettings = (): Promise<SettingsDoc> => request(settingsDocSchema, { path: '/admin/settings' });
export const saveSettings = (settings: SettingsPatch): Promise<SettingsDoc> => request(settingsDocSchema, { path: '/admin/settings', method: 'PUT', data: { settings } });
export const secretAction = (name: 'incoming_signing' | 'crm_api_token', action: 'set' | 'generate' | 'rotate' | 'revoke', value?: string) =>
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

export const getLog = (filter: LogFilter, beforeId?: number) => {
  const query = new URLSearchParams(Object.entries({ ...filter, ...(beforeId ? { before_id: String(beforeId) } : {}) }).filter(([, v]) => v !== undefined && v !== '') as [string, string][]);
  return request(z.object({ items: z.array(logEntrySchema), next_before_id: z.number().nullable() }), { path: `/admin/log?${query.toString()}` });
};

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
export const getDeadLetters = () => request(z.object({ items: z.array(deadLetterSchema) }), { path: '/admin/dead-letters' });
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

export const getSubscriptions = () => request(z.object({ items: z.array(subscriptionSchema) }), { path: '/admin/subscriptions' });
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
export const requestConnectionTest = () => request(z.object({ id: z.string() }), { path: '/admin/settings/test-connection', method: 'POST' });
export const getConnectionTest = (id: string) =>
  request(z.object({ done: z.boolean(), ok: z.boolean().optional(), message: z.string().optional(), latency_ms: z.number().nullable().optional() }), { path: `/admin/settings/test-connection/${id}` });

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
