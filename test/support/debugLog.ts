// Reads what PHP wrote to a site's debug.log since a mark, to fail on warnings and notices.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../stack/paths.ts';
import type { SiteState } from '../stack/wordpress.ts';

export function debugLogMark(s: SiteState): number {
  return existsSync(s.debugLog) ? statSync(s.debugLog).size : 0;
}

export function debugLogSince(s: SiteState, mark: number): string {
  if (!existsSync(s.debugLog)) return '';
  return readFileSync(s.debugLog).subarray(mark).toString('utf8');
}

/** PHP errors, warnings, notices and deprecations raised in our code (the plugin or the stand-in). */
export function problemsInOurCode(log: string): string[] {
  const ours = [join(ROOT, 'plugin'), join(ROOT, 'test', 'woocommerce-standin'), '/wp-content/plugins/crm-bridge/', '/wp-content/plugins/woocommerce/'];
  return log
    .split('\n')
    .filter((line) => /PHP (Fatal error|Parse error|Warning|Notice|Deprecated|Strict Standards)/.test(line) || /doing_it_wrong|was called <strong>incorrectly/.test(line))
    .filter((line) => line.includes('Fatal error') || line.includes('Parse error') || ours.some((p) => line.includes(p)));
}
