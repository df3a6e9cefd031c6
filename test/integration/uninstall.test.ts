// Uninstall through WordPress's own uninstall_plugin(): the "delete all data" setting decides whether
// the tables, options, role and capabilities go. The plugin is activated again afterwards.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { wpEval, wpEvalJson } from '../support/stack.ts';
import { configureCrm } from '../support/incoming.ts';

interface Footprint {
  tables: string[];
  view: boolean;
  refusalFiles: number;
  options: string[];
  sidecarRole: boolean;
  adminCaps: string[];
}

const footprint = (): Footprint =>
  wpEvalJson<Footprint>(`global $wpdb;
    // After uninstall the plugin is inactive and its autoloader is not registered.
    require_once WP_PLUGIN_DIR . '/crm-bridge/src/SidecarAccess.php';
    require_once WP_PLUGIN_DIR . '/crm-bridge/src/Refusals.php';
    $admin = get_role( 'administrator' );
    echo wp_json_encode( array(
      'tables'      => $wpdb->get_col( $wpdb->prepare( "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME LIKE %s ORDER BY TABLE_NAME", $wpdb->esc_like( $wpdb->prefix . 'crm_bridge_' ) . '%' ) ),
      'view'        => (bool) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s', \\CrmBridge\\SidecarAccess::view() ) ),
      'refusalFiles' => count( array_filter( \\CrmBridge\\Refusals::files(), 'file_exists' ) ),
      'options'     => $wpdb->get_col( $wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( 'crm_bridge_' ) . '%' ) ),
      'sidecarRole' => null !== get_role( 'crm_bridge_sidecar' ),
      'adminCaps'   => array_values( array_filter( array( 'crm_bridge_apply', 'crm_bridge_manage_settings' ), array( $admin, 'has_cap' ) ) ),
    ) );`);

/** As wp-admin does it: WordPress only uninstalls an inactive plugin. */
const uninstall = (): void => {
  wpEval(`require_once ABSPATH . 'wp-admin/includes/plugin.php';
    deactivate_plugins( 'crm-bridge/crm-bridge.php', true );
    uninstall_plugin( 'crm-bridge/crm-bridge.php' );`);
};

const activate = (): void => {
  wpEval(`require_once ABSPATH . 'wp-admin/includes/plugin.php';
    $result = activate_plugin( 'crm-bridge/crm-bridge.php' );
    if ( is_wp_error( $result ) ) { throw new RuntimeException( $result->get_error_message() ); }`);
};

/** A refused request, so that the local refusal file exists. */
const refuse = (): void => {
  wpEval(`\\CrmBridge\\Refusals::record( 'signature', 'invalid_signature: a test refusal' );`);
};

afterEach(activate);
afterAll(() => configureCrm('http://127.0.0.1:9'));

describe('uninstall', () => {
  it('keeps tables, options, the role and capabilities when deletion was not chosen', () => {
    configureCrm('http://127.0.0.1:9', { delete_data_on_uninstall: false });
    refuse();
    const before = footprint();
    expect(before.tables.length).toBeGreaterThanOrEqual(8);
    expect(before.options).toEqual(expect.arrayContaining(['crm_bridge_settings', 'crm_bridge_secrets', 'crm_bridge_schema_version']));
    expect(before.sidecarRole).toBe(true);
    expect(before.adminCaps).toEqual(['crm_bridge_apply', 'crm_bridge_manage_settings']);
    expect(before.view).toBe(true);
    expect(before.refusalFiles).toBeGreaterThan(0);
    uninstall();
    expect(footprint()).toEqual(before);
  });

  it('removes tables, options, the role and capabilities when the setting asks for it', () => {
    configureCrm('http://127.0.0.1:9', { delete_data_on_uninstall: true });
    refuse();
    expect(footprint().refusalFiles).toBeGreaterThan(0);
    uninstall();
    expect(footprint()).toEqual({ tables: [], view: false, refusalFiles: 0, options: [], sidecarRole: false, adminCaps: [] });
    activate();
    const again = footprint();
    expect(again.tables.length).toBeGreaterThanOrEqual(8);
    expect(again.view).toBe(true);
    expect(again.sidecarRole).toBe(true);
  });

  it('still honours the older crm_bridge_delete_data_on_uninstall option', () => {
    configureCrm('http://127.0.0.1:9', { delete_data_on_uninstall: false });
    wpEval(`update_option( 'crm_bridge_delete_data_on_uninstall', 1 );`);
    uninstall();
    expect(footprint().tables).toEqual([]);
  });
});
