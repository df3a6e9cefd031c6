// The health document with its traffic series, dedup hits and first-run checklist, parsed at the boundary.
// It extends the shared health schema of api/client; the fetch lives here until that module takes a range.
import apiFetch from '@wordpress/api-fetch';
import { z } from 'zod';
import { ApiError, NAMESPACE, healthSchema } from '../../api/client';

export const RANGES = ['hour', 'day', 'week'] as const;
export type Range = (typeof RANGES)[number];

const queueSchema = healthSchema.shape.queues.shape.inbox.extend({ retrying: z.number() });
const windowSchema = healthSchema.shape.last_hour.extend({ duplicates: z.number() });

export const trafficSchema = z.object({
  range: z.enum(RANGES),
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

export const healthDocSchema = healthSchema.extend({
  queues: z.object({ inbox: queueSchema, outbox: queueSchema }),
  last_hour: windowSchema,
  last_day: windowSchema,
  traffic: trafficSchema,
  checklist: checklistSchema,
});
export type HealthDoc = z.infer<typeof healthDocSchema>;

/** The health document with traffic over the range; every failure becomes an ApiError. */
export async function getHealthDoc(range: Range): Promise<HealthDoc> {
  let body: unknown;
  try {
    body = await apiFetch({ path: `${NAMESPACE}/admin/health?range=${range}` });
  } catch (err) {
    const wp = z.object({ code: z.string(), message: z.string() }).safeParse(err);
    throw wp.success ? new ApiError(wp.data.code, wp.data.message) : new ApiError('network_error', err instanceof Error ? err.message : String(err));
  }
  const parsed = healthDocSchema.safeParse(body);
  if (!parsed.success) throw new ApiError('invalid_response', `Unexpected health document: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}
