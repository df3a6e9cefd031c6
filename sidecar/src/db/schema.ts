// The plugin's tables as the sidecar sees them: one runtime description from which the kysely types
// are derived, so the contract test can hold the very same description against information_schema.
import type { ColumnType, Generated } from 'kysely';

type Kind = 'id' | 'int' | 'bigint' | 'string' | 'text' | 'datetime' | 'bool';
interface Column<K extends Kind = Kind, N extends boolean = boolean> {
  kind: K;
  nullable: N;
}

const col = <K extends Kind>(kind: K) => ({ kind, nullable: false as const });
const nullable = <K extends Kind>(kind: K) => ({ kind, nullable: true as const });

/** Table name (without the WordPress prefix) → column → kind. Mirrors plugin/src/Schema.php. */
export const tables = {
  crm_bridge_inbox: {
    id: col('id'),
    event_id: col('string'),
    event_type: col('string'),
    crm_order_id: col('string'),
    payload: col('text'),
    status: col('string'),
    attempts: col('int'),
    run_after: col('datetime'),
    locked_by: nullable('string'),
    locked_until: nullable('datetime'),
    last_error_class: nullable('string'),
    last_error: nullable('text'),
    received_at: col('datetime'),
    finished_at: nullable('datetime'),
  },
  crm_bridge_outbox: {
    id: col('id'),
    webhook_id: col('string'),
    subscription_id: col('bigint'),
    order_id: col('bigint'),
    topic: col('string'),
    order_version: col('string'),
    payload: col('text'),
    status: col('string'),
    attempts: col('int'),
    run_after: col('datetime'),
    locked_by: nullable('string'),
    locked_until: nullable('datetime'),
    last_status_code: nullable('int'),
    last_error_class: nullable('string'),
    last_error: nullable('text'),
    created_at: col('datetime'),
    finished_at: nullable('datetime'),
  },
  crm_bridge_subscriptions: {
    id: col('id'),
    name: col('string'),
    url: col('string'),
    topics: col('string'),
    status_filter: col('string'),
    payload_mode: col('string'),
    secret: col('text'),
    previous_secret: nullable('text'),
    previous_secret_expires_at: nullable('datetime'),
    secret_rotated_at: col('datetime'),
    is_crm: col('bool'),
    active: col('bool'),
    disabled_reason: nullable('string'),
    failing_since: nullable('datetime'),
    rate_limit_per_second: nullable('int'),
    created_at: col('datetime'),
    updated_at: col('datetime'),
  },
  crm_bridge_log: {
    id: col('id'),
    created_at: col('datetime'),
    direction: col('string'),
    decision: col('string'),
    order_id: nullable('bigint'),
    crm_order_id: nullable('string'),
    event_id: nullable('string'),
    subscription_id: nullable('bigint'),
    attempt: col('int'),
    from_status: nullable('string'),
    to_status: nullable('string'),
    latency_ms: nullable('int'),
    error_class: nullable('string'),
    message: nullable('text'),
    detail: nullable('text'),
    worker: nullable('string'),
  },
  crm_bridge_links: {
    crm_order_id: col('string'),
    order_id: col('bigint'),
    applied_version: nullable('string'),
    applied_at: nullable('datetime'),
  },
  crm_bridge_sidecars: {
    worker_id: col('string'),
    version: col('string'),
    hostname: col('string'),
    started_at: col('datetime'),
    heartbeat_at: col('datetime'),
    info: nullable('text'),
  },
  crm_bridge_refusals: {
    refusal_class: col('string'),
    refused_count: col('bigint'),
    last_refused_at: nullable('datetime'),
  },
  crm_bridge_connection_tests: {
    id: col('string'),
    requested_at: col('datetime'),
    taken_by: nullable('string'),
    taken_at: nullable('datetime'),
    answered_at: nullable('datetime'),
    ok: nullable('bool'),
    message: nullable('text'),
    latency_ms: nullable('int'),
    request: nullable('text'),
    detail: nullable('text'),
  },
  crm_bridge_audit: {
    id: col('id'),
    created_at: col('datetime'),
    user_id: col('bigint'),
    user_login: col('string'),
    action: col('string'),
    target: nullable('string'),
    details: nullable('text'),
  },
} satisfies Record<string, Record<string, Column>>;

/** Tables only the plugin reads and writes (the audit trail): the sidecar's database user gets no grant on them. */
export const PLUGIN_ONLY_TABLES: ReadonlySet<string> = new Set(['crm_bridge_audit']);

/**
 * Tables where the sidecar's database user holds less than row access. Connection tests are requested
 * (inserted) and cleared by the plugin; the sidecar only finds one and writes its answer into it.
 */
export const NARROW_GRANTS: ReadonlyMap<string, ReadonlySet<string>> = new Map([['crm_bridge_connection_tests', new Set(['SELECT', 'UPDATE'])]]);

/** The plugin tables the sidecar reads and writes with row access (SELECT, INSERT, UPDATE, DELETE), each granted to its database user. */
export const SIDECAR_TABLES: readonly string[] = Object.keys(tables).filter((t) => !PLUGIN_ONLY_TABLES.has(t) && !NARROW_GRANTS.has(t));

/** WordPress core tables the sidecar reads (never the order tables: orders go through the plugin). */
export interface CoreTables {
  /** Read only where the plugin could not create its options view. */
  options: { option_id: Generated<number>; option_name: string; option_value: string; autoload: string };
}

/** The view of the plugin's own options (plugin/src/SidecarAccess.php): all a dedicated database user reads of WordPress. */
export const OPTIONS_VIEW = 'crm_bridge_options';
export interface PluginViews {
  [OPTIONS_VIEW]: { option_name: string; option_value: string };
}

type TsOf<K extends Kind> = K extends 'id'
  ? Generated<number>
  : K extends 'int' | 'bigint'
    ? number
    : K extends 'bool'
      ? ColumnType<number, number | boolean, number | boolean>
      : K extends 'datetime'
        ? Date
        : string;

type RowOf<T> = {
  [C in keyof T]: T[C] extends { kind: infer K extends Kind; nullable: infer N } ? (N extends true ? TsOf<K> | null : TsOf<K>) : never;
};

export type PluginTables = { [T in keyof typeof tables]: RowOf<(typeof tables)[T]> };
export type Database = PluginTables & CoreTables & PluginViews;
export type TableName = keyof typeof tables;
export type ColumnKind = Kind;

/** The MySQL DATA_TYPEs each kind accepts, for the contract test. */
export const mysqlTypesOf: Record<Kind, string[]> = {
  id: ['bigint'],
  int: ['int', 'smallint', 'tinyint'],
  bigint: ['bigint'],
  string: ['varchar'],
  text: ['text', 'longtext', 'mediumtext'],
  datetime: ['datetime'],
  bool: ['tinyint'],
};
