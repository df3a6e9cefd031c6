// The must-use receiver loader: written on activation, it answers signed events before any regular
// plugin loads; it goes on deactivation and uninstall, does nothing while the plugin is inactive, and
// never replaces or removes a file of that name that the site has of its own.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { closePools, wpEval, wpEvalJson } from '../support/stack.ts';
import { configureCrm, inboxRows, logDecisions, sendEvent, statusEvent, unique } from '../support/incoming.ts';

/** A must-use plugin loaded after the loader: it answers 418 to the receiver's address, so a 202 can only come from the loader. */
const STOP = 'zz-crm-bridge-test-stop.php';
const STOP_CODE = `<?php if ( false !== strpos( (string) ( $_SERVER['REQUEST_URI'] ?? '' ), '/crm-bridge/v1/crm/events' ) ) { status_header( 418 ); exit; }`;

const PLUGIN = 'crm-bridge/crm-bridge.php';
const CRM_BRIDGE_VERSION = /define\( 'CRM_BRIDGE_VERSION', '([^']+)'/.exec(readFileSync(new URL('../../plugin/crm-bridge.php', import.meta.url), 'utf8'))![1];
// Evaluated with the plugin possibly inactive, so the loader's class is loaded by hand.
const LOADER_CLASS = `require_once WP_PLUGIN_DIR . '/crm-bridge/src/DbErrorDropin.php'; require_once WP_PLUGIN_DIR . '/crm-bridge/src/EarlyLoader.php';`;

const loader = () =>
  wpEvalJson<{ exists: boolean; ours: boolean; head: string }>(`${LOADER_CLASS}
    $p = \\CrmBridge\\EarlyLoader::path();
    echo wp_json_encode( array( 'exists' => file_exists( $p ), 'ours' => \\CrmBridge\\EarlyLoader::is_ours(), 'head' => file_exists( $p ) ? substr( (string) file_get_contents( $p ), 0, 40 ) : '' ) );`);

/** As wp-admin does: WordPress's own activation and deactivation, hooks included. */
const activate = (): void => {
  wpEval(`require_once ABSPATH . 'wp-admin/includes/plugin.php';
    $result = activate_plugin( '${PLUGIN}' );
    if ( is_wp_error( $result ) ) { throw new RuntimeException( $result->get_error_message() ); }`);
};
const deactivate = (): void => {
  wpEval(`require_once ABSPATH . 'wp-admin/includes/plugin.php'; deactivate_plugins( '${PLUGIN}' );`);
};

const stop = (on: boolean): void => {
  // Passed in base64: PHP would read the code's variables inside a double-quoted string.
  wpEval(on ? `file_put_contents( WPMU_PLUGIN_DIR . '/${STOP}', base64_decode( '${Buffer.from(STOP_CODE).toString('base64')}' ) );` : `wp_delete_file( WPMU_PLUGIN_DIR . '/${STOP}' );`);
};

const send = async (): Promise<{ status: number; id: string }> => {
  const id = unique('evt');
  const res = await sendEvent({ id, body: statusEvent(unique('C'), 'paid', 1) });
  await res.text();
  return { status: res.status, id };
};

beforeAll(() => configureCrm('http://127.0.0.1:9'));
afterEach(() => {
  stop(false);
  activate();
});
afterAll(async () => {
  wpEval(`${LOADER_CLASS} if ( ! \\CrmBridge\\EarlyLoader::is_ours() ) { wp_delete_file( \\CrmBridge\\EarlyLoader::path() ); } \\CrmBridge\\EarlyLoader::install( '${PLUGIN}' );`);
  await closePools();
});

describe('must-use receiver loader', () => {
  it('is written on activation and answers a signed event before the regular plugins load', async () => {
    deactivate();
    activate();
    expect(loader()).toMatchObject({ exists: true, ours: true });
    stop(true);
    const served = await send();
    expect(served.status).toBe(202);
    expect(await inboxRows(served.id)).toEqual([{ status: 'pending', attempts: 0 }]);
    expect((await logDecisions({ eventId: served.id })).map((r) => r.decision)).toEqual(['accepted']);
    // Without the loader the request goes on to the next must-use plugin.
    wpEval(`\\CrmBridge\\EarlyLoader::remove();`);
    const missed = await send();
    expect(missed.status).toBe(418);
    expect(await inboxRows(missed.id)).toEqual([]);
  });

  it('goes on deactivation and on uninstall, and a loader left behind serves nothing while the plugin is inactive', async () => {
    deactivate();
    expect(loader().exists).toBe(false);
    // Written by hand while the plugin is inactive (as if left behind): it must stay inert.
    wpEval(`${LOADER_CLASS} \\CrmBridge\\EarlyLoader::install( '${PLUGIN}' );`);
    expect(loader()).toMatchObject({ exists: true, ours: true });
    stop(true);
    const inert = await send();
    expect(inert.status).toBe(418);
    expect(await inboxRows(inert.id)).toEqual([]);
    stop(false);
    activate();
    expect(loader()).toMatchObject({ exists: true, ours: true });
    // Uninstall, as wp-admin does it (deactivation first), keeping the data.
    configureCrm('http://127.0.0.1:9', { delete_data_on_uninstall: false });
    wpEval(`require_once ABSPATH . 'wp-admin/includes/plugin.php'; deactivate_plugins( '${PLUGIN}' ); uninstall_plugin( '${PLUGIN}' );`);
    expect(loader().exists).toBe(false);
    // A silent deactivation skips the hook: the uninstall still takes the loader away.
    activate();
    expect(loader().exists).toBe(true);
    wpEval(`require_once ABSPATH . 'wp-admin/includes/plugin.php'; deactivate_plugins( '${PLUGIN}', true ); uninstall_plugin( '${PLUGIN}' );`);
    expect(loader().exists).toBe(false);
    activate();
  });

  it('is written by the update step when the plugin was updated without a reactivation', () => {
    const got = wpEvalJson<{ before: boolean; after: boolean; version: string }>(`${LOADER_CLASS}
      wp_delete_file( \\CrmBridge\\EarlyLoader::path() );
      delete_option( \\CrmBridge\\Plugin::CODE_VERSION_OPTION );
      $before = file_exists( \\CrmBridge\\EarlyLoader::path() );
      \\CrmBridge\\Plugin::maybe_upgrade();
      echo wp_json_encode( array( 'before' => $before, 'after' => \\CrmBridge\\EarlyLoader::is_ours(), 'version' => get_option( \\CrmBridge\\Plugin::CODE_VERSION_OPTION ) ) );`);
    expect(got).toEqual({ before: false, after: true, version: CRM_BRIDGE_VERSION });
  });

  it('never replaces or removes a file of its name that the site has of its own', () => {
    wpEval(`${LOADER_CLASS} wp_delete_file( \\CrmBridge\\EarlyLoader::path() ); file_put_contents( \\CrmBridge\\EarlyLoader::path(), "<?php // the site's own mu-plugin" );`);
    deactivate();
    activate();
    expect(loader()).toMatchObject({ exists: true, ours: false, head: "<?php // the site's own mu-plugin" });
    deactivate();
    expect(loader()).toMatchObject({ exists: true, ours: false, head: "<?php // the site's own mu-plugin" });
    wpEval(`${LOADER_CLASS} wp_delete_file( \\CrmBridge\\EarlyLoader::path() );`);
  });
});
