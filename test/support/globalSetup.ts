// Starts the test stack once for the whole run and stops it afterwards: WordPress 6.1 and 6.5 with the
// WooCommerce stand-in, or (`npm run test:woo`) the versions a real WooCommerce release supports.
import type { TestProject } from 'vitest/node';
import { down, up } from '../stack/stack.ts';
import { stackDir } from '../stack/paths.ts';
import { chooseWooCommerce, wpAtLeast } from '../stack/woocommerce.ts';
import { WP_VERSIONS } from '../stack/wordpress.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // One stack per suite run; `npm run test:chaos` and `npm run test:woo` use their own, so they can run beside `npm test`.
  const name = process.env.CRM_BRIDGE_STACK ?? 'test';
  // CRM_BRIDGE_WOOCOMMERCE / CRM_BRIDGE_HPOS name a real release; the stand-in otherwise.
  const woocommerce = chooseWooCommerce(stackDir(name));
  const versions = WP_VERSIONS.filter((v) => wpAtLeast(v, woocommerce.requiresWp));
  const state = await up({ name, versions });
  project.provide('stack', state);
  return async () => {
    if (!process.env.CRM_BRIDGE_KEEP_STACK) await down(name);
  };
}
