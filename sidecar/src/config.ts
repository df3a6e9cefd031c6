// The sidecar's environment, validated once at start: only what it needs to reach WordPress.
// Everything else (CRM connection, secrets, retries) is read from the settings page via wp_options.
import { hostname } from 'node:os';
import { z } from 'zod';

const databaseUrl = z
  .string({ error: 'is required (mysql://user:password@host:port/database)' })
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'mysql:' || u.protocol === 'mariadb:') && u.pathname.length > 1;
    } catch {
      return false;
    }
  }, 'must look like mysql://user:password@host:port/database');

const httpUrl = z
  .string({ error: 'is required (http(s)://host[:port])' })
  .refine((v) => {
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

export const configSchema = z.object({
  CRM_BRIDGE_DATABASE_URL: databaseUrl,
  CRM_BRIDGE_TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_]+$/, 'may contain only letters, digits and underscores, like $table_prefix in wp-config.php')
    .default('wp_'),
  CRM_BRIDGE_WORDPRESS_URL: httpUrl,
  CRM_BRIDGE_WP_USER: z.string({ error: 'is required (the sidecar user’s login)' }).min(1, 'must not be empty'),
  CRM_BRIDGE_WP_APP_PASSWORD: z
    .string({ error: 'is required (an Application Password of the sidecar user)' })
    .min(16, 'must be an Application Password (24 characters, spaces allowed)'),
  CRM_BRIDGE_HTTP_HOST: z.string().default('127.0.0.1'),
  CRM_BRIDGE_HTTP_PORT: z.coerce.number({ error: 'must be a port number (0-65535)' }).int('must be a whole number').min(0).max(65535, 'must be a port number (0-65535)').default(9464),
  CRM_BRIDGE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CRM_BRIDGE_WORKER_ID: z
    .string()
    .max(64, 'must be at most 64 characters')
    .default(() => `${hostname()}-${process.pid}`.slice(0, 64)),
  CRM_BRIDGE_ENCRYPTION_KEY: z.string().optional(),
  CRM_BRIDGE_CLAIM_MODE: z.enum(['auto', 'skip_locked', 'update'], { error: 'must be auto, skip_locked or update' }).default('auto'),
  CRM_BRIDGE_LEASE_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).positive('must be a positive number of seconds').default(60),
  CRM_BRIDGE_POLL_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().positive('must be a positive number of milliseconds').default(200),
  CRM_BRIDGE_SETTINGS_TTL_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(0, 'must not be negative').default(2000),
  // Only the environment can open private networks to CRM and subscriber addresses: never a setting.
  CRM_BRIDGE_ALLOW_PRIVATE_URLS: z
    .stringbool({ truthy: ['1', 'true', 'yes'], falsy: ['0', 'false', 'no'], error: 'must be 1, true or yes (allow private addresses) or 0, false or no (the default)' })
    .default(false),
  CRM_BRIDGE_HEARTBEAT_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).positive('must be a positive number of seconds').default(5),
  CRM_BRIDGE_WRITE_REQUESTS: z.coerce
    .number({ error: 'must be a number of requests (1-64)' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(64, 'must be at most 64')
    .default(4),
});

export type Env = z.infer<typeof configSchema>;

export interface Config {
  database: { url: string; tablePrefix: string };
  wordpress: { url: string; user: string; appPassword: string };
  http: { host: string; port: number };
  logLevel: Env['CRM_BRIDGE_LOG_LEVEL'];
  workerId: string;
  heartbeatMs: number;
  /** Key for the secrets stored by the plugin; the same value as CRM_BRIDGE_ENCRYPTION_KEY in wp-config.php. */
  encryptionKey: string | undefined;
  queue: { claimMode: 'auto' | 'skip_locked' | 'update'; leaseMs: number; pollMs: number };
  /** How long settings read from wp_options are reused before they are read again. */
  settingsTtlMs: number;
  /** Requests to CRM and subscriber addresses may go to loopback and private networks (local and test setups only). */
  outbound: { allowPrivateUrls: boolean };
  /** The most requests to the plugin's write endpoint one sidecar has out at once: each one keeps a PHP
   * process busy, so it follows the PHP workers WordPress has for the sidecar (what arrives meanwhile
   * waits and goes out in one batch). */
  writeRequests: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError with one line per wrong or missing variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`));
  }
  const e = parsed.data;
  return {
    database: { url: e.CRM_BRIDGE_DATABASE_URL, tablePrefix: e.CRM_BRIDGE_TABLE_PREFIX },
    wordpress: { url: e.CRM_BRIDGE_WORDPRESS_URL.replace(/\/+$/, ''), user: e.CRM_BRIDGE_WP_USER, appPassword: e.CRM_BRIDGE_WP_APP_PASSWORD },
    http: { host: e.CRM_BRIDGE_HTTP_HOST, port: e.CRM_BRIDGE_HTTP_PORT },
    logLevel: e.CRM_BRIDGE_LOG_LEVEL,
    workerId: e.CRM_BRIDGE_WORKER_ID,
    heartbeatMs: e.CRM_BRIDGE_HEARTBEAT_SECONDS * 1000,
    encryptionKey: e.CRM_BRIDGE_ENCRYPTION_KEY || undefined,
    queue: { claimMode: e.CRM_BRIDGE_CLAIM_MODE, leaseMs: e.CRM_BRIDGE_LEASE_SECONDS * 1000, pollMs: e.CRM_BRIDGE_POLL_MS },
    settingsTtlMs: e.CRM_BRIDGE_SETTINGS_TTL_MS,
    outbound: { allowPrivateUrls: e.CRM_BRIDGE_ALLOW_PRIVATE_URLS },
    writeRequests: e.CRM_BRIDGE_WRITE_REQUESTS,
  };
}

/** loadConfig() for the command-line entry points: an invalid environment is reported on stderr and gives null. */
export function loadConfigOrReport(env: NodeJS.ProcessEnv = process.env): Config | null {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`crm-bridge: ${err.message}\n`);
    return null;
  }
}
