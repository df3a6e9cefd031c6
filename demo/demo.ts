// The demo: the local stack (MariaDB + WordPress with the plugin and WooCommerce), the CRM simulator
// and the sidecar, connected with generated secrets and seeded with products and customer orders.
// WooCommerce is a release named by CRM_BRIDGE_WOOCOMMERCE, else the pinned release from wordpress.org,
// else the stand-in, said loudly. Ctrl-C stops all of it. A second run reuses the stack and its data.
// It is built on the test stack and the CRM simulator (test/ imports nothing from here).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWooCommerce, down, up } from '../test/stack/stack.ts';
import { ROOT, stackDir } from '../test/stack/paths.ts';
import { evalPhp, type SiteState } from '../test/stack/wordpress.ts';
import { freePort, stopProcess, waitFor, StackError } from '../test/stack/system.ts';
import { startCrmSimulator } from '../test/crm-simulator/simulator.ts';
import { chooseDemoWooCommerce, DemoEnv, standinWarning } from './woocommerce-choice.ts';
import { pinnedReleaseZip } from './woocommerce-download.ts';

const step = (line: string): void => console.log(`▸ ${line}`);

/** The stand-in's notice on every wp-admin page: a must-use plugin of the demo site, and its text (empty: none). */
function setStandinNotice(site: SiteState, text: string): void {
  const mu = join(site.dir, 'wp-content', 'mu-plugins');
  mkdirSync(mu, { recursive: true });
  copyFileSync(join(ROOT, 'demo', 'php', 'demo-notice.php'), join(mu, 'crm-bridge-demo-notice.php'));
  evalPhp(site, `update_option( 'crm_bridge_demo_notice', ${JSON.stringify(text)} );`);
}

/** A framed block, so the warning is not lost among the other lines. */
function loud(text: string): string {
  return `\n${'!'.repeat(100)}\n${text.replace(/(.{1,96})(\s+|$)/g, '! $1\n')}${'!'.repeat(100)}\n`;
}
import { thingsToTry } from './things-to-try.ts';

try {
  const env = DemoEnv.safeParse(process.env);
  if (!env.success) throw new StackError(env.error.issues.map((i) => i.message).join('; '), 2);
  const stackName = env.data.CRM_BRIDGE_DEMO_STACK;
  const choice = await chooseDemoWooCommerce(env.data, () => {
    step('WooCommerce: fetching the pinned release from wordpress.org (CRM_BRIDGE_WOOCOMMERCE names one instead)');
    return pinnedReleaseZip(join(stackDir(stackName), 'downloads'));
  });
  const warning = choice.kind === 'standin' ? standinWarning(choice) : '';
  if (choice.kind === 'standin' && !choice.onPurpose) console.error(loud(warning));
  // A real release needs WordPress 6.5; the stand-in runs on Debian's 6.1 as the tests do. An empty
  // woocommerce (not undefined, which would read CRM_BRIDGE_WOOCOMMERCE again) means the stand-in.
  const version = choice.kind === 'release' ? '6.5' : '6.1';
  const state = await up({
    name: stackName,
    versions: [version],
    woocommerce: choice.kind === 'release' ? choice.source : '',
    hpos: choice.kind === 'release' ? choice.hpos : 'on',
    progress: step,
  });
  const site = state.sites[version]!;
  const db = state.mariadb;
  setStandinNotice(site, warning);

  // The CRM, and the plugin connected to it: its API token and the signing secret of its webhooks.
  const token = randomBytes(16).toString('hex');
  const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const crm = await startCrmSimulator({ port: await freePort(8790), token });
  crm.setTarget({ url: `${site.url}/wp-json/crm-bridge/v1/crm/events`, secret: signingSecret });
  evalPhp(
    site,
    `\\CrmBridge\\Settings::update( array( 'crm' => array( 'base_url' => ${JSON.stringify(crm.url)}, 'auth_mode' => 'bearer' ) ) );
     \\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::INCOMING, ${JSON.stringify(signingSecret)} );
     \\CrmBridge\\Secrets::set( \\CrmBridge\\Secrets::CRM_TOKEN, ${JSON.stringify(token)} );`,
  );

  // The CRM hears of new orders through a subscription; its answer links the order. The secret is
  // rotated on every start, since nothing shows a secret twice.
  const subscriptionSecret = evalPhp(
    site,
    `$existing = array_values( array_filter( \\CrmBridge\\Subscriptions::all(), fn( $s ) => 'CRM simulator' === $s['name'] ) );
     if ( $existing ) {
       \\CrmBridge\\Subscriptions::update( $existing[0]['id'], array( 'url' => ${JSON.stringify(crm.url + '/webhooks')}, 'active' => true ) );
       echo \\CrmBridge\\Subscriptions::rotate_secret( $existing[0]['id'], 0 );
     } else {
       echo \\CrmBridge\\Subscriptions::create( array( 'name' => 'CRM simulator', 'url' => ${JSON.stringify(crm.url + '/webhooks')}, 'topics' => \\CrmBridge\\Subscriptions::TOPICS, 'status_filter' => array(), 'payload_mode' => 'full', 'is_crm' => true, 'active' => true, 'rate_limit_per_second' => null ) )['secret'];
     }`,
  ).trim();
  crm.inboundSecret = subscriptionSecret;
  const adminAppPassword = evalPhp(
    site,
    `$user = get_user_by( 'login', ${JSON.stringify(site.adminUser)} );
     foreach ( WP_Application_Passwords::get_user_application_passwords( $user->ID ) as $item ) {
       if ( 'CRM Bridge demo' === $item['name'] ) { WP_Application_Passwords::delete_application_password( $user->ID, $item['uuid'] ); }
     }
     echo WP_Application_Passwords::create_new_application_password( $user->ID, array( 'name' => 'CRM Bridge demo' ) )[0];`,
  ).trim();

  // Products, a customer and three orders placed as a checkout would, each known to the CRM under its own id.
  step('shop: seeding products and customer orders');
  const seeded = JSON.parse(evalPhp(site, readFileSync(join(ROOT, 'demo', 'php', 'seed.php'), 'utf8').replace(/^<\?php\s*/, ''))) as number[];
  // Linked as if the CRM had answered their order.created: a CRM may only act on orders it was given.
  // On a second run the three orders go back to pending (as the CRM, so nothing is sent back) and the
  // CRM's records continue from the version last applied: the things to try work again as printed.
  const versions = JSON.parse(
    evalPhp(
      site,
      `$versions = array();
       foreach ( json_decode( ${JSON.stringify(JSON.stringify(seeded))} ) as $i => $id ) {
         $crm_id = 'CRM-' . ( 1001 + $i );
         \\CrmBridge\\Origin::run( \\CrmBridge\\Origin::CRM, static function () use ( $id, $crm_id ): void {
           $o = wc_get_order( $id );
           $o->update_meta_data( \\CrmBridge\\Links::META_CRM_ORDER_ID, $crm_id );
           if ( 'pending' !== $o->get_status() ) { $o->set_status( 'pending', 'The demo started again.' ); }
           $o->save();
         } );
         \\CrmBridge\\Links::save( $crm_id, (int) $id, null );
         $versions[] = (int) \\CrmBridge\\Links::applied_version( $crm_id, wc_get_order( $id ) );
       }
       echo wp_json_encode( $versions );`,
    ),
  ) as number[];
  for (const [i, orderId] of seeded.entries()) {
    crm.orders.set(`CRM-${1001 + i}`, { crm_order_id: `CRM-${1001 + i}`, status: 'pending', version: versions[i] ?? 0, updated_at: new Date().toISOString(), woo_order_id: orderId });
  }
  const productId = Number(evalPhp(site, `echo (int) ( function_exists( 'wc_get_product_id_by_sku' ) ? wc_get_product_id_by_sku( 'DEMO-GRINDER' ) : 0 );`).trim()) || undefined;

  // The sidecar gets its own database user with the documented grants (the script docker-compose runs),
  // not WordPress's login: the plugin's tables and its options view, nothing else.
  evalPhp(site, `\\CrmBridge\\SidecarAccess::maybe_install();`);
  const sidecarDbPassword = randomBytes(18).toString('base64url');
  execFileSync('sh', [join(ROOT, 'docker', 'mariadb', 'sidecar-db-user.sh')], {
    env: { PATH: process.env.PATH ?? '', DB_HOST: 'localhost', DB_SOCKET: db.socket, DB_NAME: site.database, TABLE_PREFIX: site.tablePrefix, CRM_BRIDGE_SIDECAR_DB_PASSWORD: sidecarDbPassword },
    timeout: 60_000,
    stdio: 'pipe',
  });

  const port = await freePort(9464);
  const main = join(ROOT, 'sidecar', 'dist', 'main.js');
  const sidecarEnv = {
    CRM_BRIDGE_DATABASE_URL: `mysql://crm_bridge_sidecar:${sidecarDbPassword}@127.0.0.1:${db.port}/${site.database}`,
    CRM_BRIDGE_TABLE_PREFIX: site.tablePrefix,
    CRM_BRIDGE_WORDPRESS_URL: site.url,
    CRM_BRIDGE_WP_USER: site.sidecarUser,
    CRM_BRIDGE_WP_APP_PASSWORD: site.sidecarAppPassword,
    CRM_BRIDGE_ENCRYPTION_KEY: site.encryptionKey,
    // The demo's CRM simulator and receivers listen on loopback, a private address.
    CRM_BRIDGE_ALLOW_PRIVATE_URLS: '1',
  };
  // The same environment for commands run by hand (crm-bridge reconcile), readable only by its owner.
  const envFile = join(state.dir, 'sidecar.env');
  writeFileSync(envFile, Object.entries(sidecarEnv).map(([k, v]) => `${k}='${v.replace(/'/g, `'\\''`)}'`).join('\n') + '\n', { mode: 0o600 });
  step('sidecar: starting');
  const sidecar = spawn(process.execPath, [main], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...sidecarEnv, CRM_BRIDGE_HTTP_PORT: String(port), CRM_BRIDGE_WORKER_ID: 'demo-sidecar', CRM_BRIDGE_LOG_LEVEL: 'warn' },
  });
  await waitFor('the sidecar', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 30_000);
  step(`sidecar: ready on http://127.0.0.1:${port}`);
  console.log(`\nWooCommerce: ${describeWooCommerce(site.woocommerce)}${choice.kind === 'release' ? ` (${choice.origin === 'given' ? `from ${choice.source}` : 'the pinned release from wordpress.org'})` : ''}`);

  console.log(`
CRM Bridge demo is running.

  WordPress admin    ${site.url}/wp-admin/
  login              ${site.adminUser} / ${site.adminPassword}
  CRM Bridge screen  ${site.url}/wp-admin/admin.php?page=crm-bridge
  CRM simulator      ${crm.url}/admin/orders   (knobs: ${crm.url}/admin/knobs)
  sidecar            http://127.0.0.1:${port}/readyz  and  /metrics

WooCommerce orders ${seeded.join(', ')} are CRM orders CRM-1001, CRM-1002, CRM-1003.

${thingsToTry({ siteUrl: site.url, adminUser: site.adminUser, adminAppPassword, crmUrl: crm.url, orderIds: [seeded[0]!, seeded[1]!, seeded[2]!], envFile, sidecarMain: main, productId, since: new Date().toISOString().slice(0, 10) })}

Press Ctrl-C to stop everything.
`);
  if (warning) console.log(loud(warning));

  await new Promise<void>((resolve) => {
    // on, not once: Ctrl-C reaches this process twice (from the terminal, and relayed by tsx), and
    // a second SIGINT with no listener would end it before the stack is stopped.
    process.on('SIGINT', resolve);
    process.on('SIGTERM', resolve);
    sidecar.once('exit', () => resolve());
  });
  console.log('\nstopping…');
  if (sidecar.exitCode === null) sidecar.kill('SIGTERM');
  await stopProcess(sidecar.pid!, main);
  await crm.close();
  await down(stackName);
  console.log('stopped.');
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(err instanceof StackError ? err.exitCode : 1);
}
