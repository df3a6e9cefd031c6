// The settings page's document (option crm_bridge_settings, validated by settingsSchema.ts) and the
// CRM credentials (option crm_bridge_secrets), refreshed every few seconds, so a change in wp-admin
// reaches every replica without a restart.
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { readOptions } from './db/readOptions.js';
import { decryptSecret } from './crypto.js';
import { settingsSchema, type Settings } from './settingsSchema.js';
import type { Clock } from './clock.js';

export { settingsSchema, type Settings } from './settingsSchema.js';

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
