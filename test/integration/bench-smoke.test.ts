// The benchmark harness at tiny sizes, so it does not rot. Numbers are not judged here. The bench is
// run as the command users run, so test/ does not import bench/ (bench/ is built on test/).
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../stack/paths.ts';
import { down } from '../stack/stack.ts';

const STACK = 'bench-smoke';
const out = mkdtempSync(join(tmpdir(), 'crm-bridge-bench-'));
afterAll(async () => {
  await down(STACK);
  rmSync(out, { recursive: true, force: true });
});

describe('benchmark harness', () => {
  it('runs every scenario at tiny sizes on the stand-in, says so first, prints its table and writes its results', async () => {
    // No release given, none taken from the environment: the bench runs on the stand-in.
    const env = { ...process.env };
    delete env.CRM_BRIDGE_WOOCOMMERCE;
    delete env.CRM_BRIDGE_HPOS;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'run.ts'), '--quick', '--out', out, '--stack', STACK], {
      cwd: ROOT,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout.split('\n')[0]).toMatch(/^WooCommerce: the stand-in .*not a real release/);
    const file = /^results: (.+)$/m.exec(stdout)?.[1];
    expect(file?.startsWith(out)).toBe(true);
    expect(file).toMatch(/-standin-quick\.json$/);
    const written = JSON.parse(readFileSync(file!, 'utf8')) as { woocommerce: unknown; quick: boolean; targets: { target: string }[]; incoming: { rows: { events_per_s: number }[] }; order_save: { rows: { pairs: number }[] } };
    expect(written.woocommerce).toEqual({ version: 'standin' });
    expect(written.quick).toBe(true);
    // The order save alternates with and without the plugin's hooks, after a warm-up.
    expect(written.order_save.rows[0]!.pairs).toBeGreaterThan(1);
    expect(written.targets.map((t) => t.target)).toHaveLength(8);
    expect(written.incoming.rows[0]!.events_per_s).toBeGreaterThan(0);
    expect(stdout).toContain('### Targets');
  }, 300_000);
});
