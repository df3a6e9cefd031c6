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
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const wpErrorSchema = z.object({ code: z.string(), message: z.string(), data: z.object({ status: z.number() }).partial().nullish() });

async function request<T>(schema: z.ZodType<T>, options: { path: string; method?: string; data?: unknown }): Promise<T> {
  let body: unknown;
  try {
    body = await apiFetch({ ...options, path: NAMESPACE + options.path });
  } catch (err) {
    const parsed = wpErrorSchema.safeParse(err);
    if (parsed.success) throw new ApiError(parsed.data.code, parsed.data.message, parsed.data.data?.status);
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
});

export const healthSchema = z.object({
  plugin_version: z.string(),
  schema_version: z.number(),
  woocommerce_active: z.boolean(),
  sidecars: z.array(sidecarSchema),
  sidecar_online: z.boolean(),
});

export type Health = z.infer<typeof healthSchema>;

export const getHealth = (): Promise<Health> => request(healthSchema, { path: '/admin/health' });
