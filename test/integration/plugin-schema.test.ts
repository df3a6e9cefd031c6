// The contract between the plugin (which creates the tables) and the sidecar (which queries them).
import { afterAll, describe, expect, it } from 'vitest';
import { closePools, dbPool, describeEachWordPress, site, wpEval, wpEvalJson } from '../support/stack.ts';
import { compareSchema, readPluginColumns, tables } from '../support/schemaContract.ts';
import { KNOWN_SCHEMA_VERSIONS } from '../../sidecar/src/db/checkSchemaVersion.ts';
import { settingsSchema } from '../../sidecar/src/settingsSchema.ts';

afterAll(closePools);

describeEachWordPress('plugin schema', (version) => {
  it('creates exactly the tables and columns the sidecar declares', async () => {
    const s = site(version);
    const columns = await readPluginColumns(dbPool(s), s.database, s.tablePrefix);
    expect(compareSchema(tables, columns, s.tablePrefix)).toEqual([]);
  });

  it('records a schema version the sidecar knows', () => {
    const s = site(version);
    const installed = Number(wpEval(`echo get_option( 'crm_bridge_schema_version' );`, s));
    expect(KNOWN_SCHEMA_VERSIONS).toContain(installed);
  });
});

describe('plugin schema migrations', () => {
  it('running the installer again changes nothing', async () => {
    const s = site();
    const before = await readPluginColumns(dbPool(s), s.database, s.tablePrefix);
    wpEval(`\\CrmBridge\\Plugin::activate();`, s);
    const after = await readPluginColumns(dbPool(s), s.database, s.tablePrefix);
    expect(after).toEqual(before);
  });

  it('an outdated schema version is migrated on the next request', async () => {
    const s = site();
    wpEval(`update_option( 'crm_bridge_schema_version', 0 );`, s);
    const res = await fetch(`${s.url}/wp-json/`);
    expect(res.status).toBe(200);
    expect(wpEvalJson<number>(`echo wp_json_encode( (int) get_option( 'crm_bridge_schema_version' ) );`, s)).toBe(KNOWN_SCHEMA_VERSIONS.at(-1));
  });

  it('a site on schema 3 gains the connection tests table, and the options that carried tests go', async () => {
    const s = site();
    const table = `${s.tablePrefix}crm_bridge_connection_tests`;
    await dbPool(s).query(`DROP TABLE IF EXISTS ${table}`);
    wpEval(`update_option( 'crm_bridge_schema_version', 3 ); update_option( 'crm_bridge_connection_test', '{"id":"x"}', false ); update_option( 'crm_bridge_connection_test_result', '{"id":"x"}', false );`, s);
    expect((await fetch(`${s.url}/wp-json/`)).status).toBe(200);
    expect(compareSchema(tables, await readPluginColumns(dbPool(s), s.database, s.tablePrefix), s.tablePrefix)).toEqual([]);
    expect(wpEvalJson<unknown[]>(`echo wp_json_encode( array( (int) get_option( 'crm_bridge_schema_version' ), get_option( 'crm_bridge_connection_test' ), get_option( 'crm_bridge_connection_test_result' ) ) );`, s)).toEqual([KNOWN_SCHEMA_VERSIONS.at(-1), false, false]);
  });

  it('an upgrade rewrites a settings document stored under older rules into one the sidecar parses', async () => {
    const s = site();
    const stored = wpEval(`echo get_option( 'crm_bridge_settings' );`, s);
    try {
      const old = JSON.parse(stored) as { outgoing: Record<string, unknown>; incoming: Record<string, unknown> };
      // A key earlier releases wrote and an optional path stored as an empty string.
      old.outgoing.allow_private_urls = false;
      old.incoming.event_id_path = '';
      wpEval(`update_option( 'crm_bridge_schema_version', 3 ); update_option( 'crm_bridge_settings', base64_decode( '${Buffer.from(JSON.stringify(old)).toString('base64')}' ), true );`, s);
      // Read as the sidecar reads it: straight from the database (loading WordPress would run the upgrade).
      const raw = async () => JSON.parse(((await dbPool(s).query(`SELECT option_value FROM ${s.tablePrefix}options WHERE option_name = 'crm_bridge_settings'`))[0] as { option_value: string }[])[0]!.option_value) as unknown;
      expect(settingsSchema.safeParse(await raw()).success).toBe(false);
      // Any request runs the upgrade; the sidecar reads the option as stored.
      expect((await fetch(`${s.url}/wp-json/`)).status).toBe(200);
      expect(settingsSchema.safeParse(await raw()).success).toBe(true);
    } finally {
      wpEval(`update_option( 'crm_bridge_settings', base64_decode( '${Buffer.from(stored).toString('base64')}' ), true );`, s);
    }
  });

  it('declares compatibility with High-Performance Order Storage', () => {
    const declared = wpEvalJson<{ compatible: string[]; incompatible: string[] }>(
      `echo wp_json_encode( \\Automattic\\WooCommerce\\Utilities\\FeaturesUtil::get_compatible_plugins_for_feature( 'custom_order_tables' ) );`,
    );
    expect(declared.compatible).toContain('crm-bridge/crm-bridge.php');
    expect(declared.incompatible).not.toContain('crm-bridge/crm-bridge.php');
  });

  it('creates the sidecar role with only the apply capability', () => {
    const caps = wpEvalJson<Record<string, boolean>>(`echo wp_json_encode( get_role( 'crm_bridge_sidecar' )->capabilities );`);
    expect(caps).toEqual({ crm_bridge_apply: true });
  });
});
