// The settings page's document (option crm_bridge_settings) and the CRM credentials (option
// crm_bridge_secrets), parsed by zod and refreshed every few seconds, so a change in wp-admin
// reaches every replica without a restart.
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { readOptions } from './db/readOptions.js';
import { decryptSecret } from './crypto.js';
import type { Clock } from './clock.js';

const path = z.string().max(200);

export const settingsSchema = z.object({
  incoming: z.object({
    paths: z.object({ type: path, crm_order_id: path, status: path, version: path, updated_at: path }),
  }),
  crm: z.object({
    base_url: z.string(),
    auth_mode: z.enum(['bearer', 'basic', 'header']),
    auth_header: z.string().min(1),
    basic_user: z.string(),
    order_url_template: z.string().min(1),
    version_source: z.enum(['version', 'updated_at']),
    timeout_ms: z.number().int().positive(),
    paths: z.object({ status: path, version: path, updated_at: path, woo_order_id: path }),
  }),
  outgoing: z.object({
    crm_order_id_path: path,
    timeout_ms: z.number().int().positive(),
    max_attempts: z.number().int().positive(),
    base_delay_ms: z.number().int().nonnegative(),
    max_delay_ms: z.number().int().positive(),
    disable_after_hours: z.number().positive(),
  }),
  mapping: z.record(z.string(), z.string()),
  retry: z.object({ max_attempts: z.number().int().positive(), base_delay_ms: z.number().int().nonnegative(), max_delay_ms: z.number().int().positive() }),
  retention_days: z.number().int().positive(),
  concurrency: z.number().int().positive().max(256),
});

export type Settings = z.infer<typeof settingsSchema>;

export interface CrmCredentials {
  token: string | null;
}

export interface LoadedSettings {
  settings: Settings;
  credentials: CrmCredentials;
}

export const SETTINGS_OPTION = 'crm_bridge_settings';
export const SECRETS_OPTION = 'crm_bridge_secrets';

const secretsSchema = z.record(z.string(), z.object({ value: z.string() }).passthrough());

/** Parses both options; throws a ZodError naming the wrong setting. */
export function parseSettings(settingsJson: string | undefined, secretsJson: string | undefined, encryptionKey: string | undefined): LoadedSettings {
  const settings = settingsSchema.parse(JSON.parse(settingsJson ?? 'null'));
  const secrets = secretsSchema.parse(JSON.parse(secretsJson || '{}'));
  const stored = secrets.crm_api_token?.value;
  return { settings, credentials: { token: stored ? decryptSecret(stored, encryptionKey, `${SECRETS_OPTION}:crm_api_token`) : null } };
}

/** Reads the settings at most every ttlMs. */
export class SettingsSource {
  private cached: { at: number; value: LoadedSettings } | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly encryptionKey: string | undefined,
    private readonly clock: Clock,
    private readonly ttlMs = 5000,
  ) {}

  async get(): Promise<LoadedSettings> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.value;
    const options = await readOptions(this.db, [SETTINGS_OPTION, SECRETS_OPTION]);
    const value = parseSettings(options.get(SETTINGS_OPTION), options.get(SECRETS_OPTION), this.encryptionKey);
    this.cached = { at: now, value };
    return value;
  }
}
