// The benchmark harness at tiny sizes, so it does not rot. Numbers are not judged here.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench, summary } from '../../bench/run.ts';
import { down } from '../stack/stack.ts';

const out = mkdtempSync(join(tmpdir(), 'crm-bridge-bench-'));
afterAll(async () => {
  await down('bench-smoke');
  rmSync(out, { recursive: true, force: true });
});

describe('benchmark harness', () => {
  it('runs every scenario at tiny sizes and writes its results', async () => {
    const { file, results } = await runBench({ quick: true, outDir: out, stackName: 'bench-smoke' });
    const written = JSON.parse(readFileSync(file, 'utf8')) as { targets: { target: string }[]; incoming: { rows: { events_per_s: number }[] } };
    expect(written.targets.map((t) => t.target)).toHaveLength(8);
    expect(written.incoming.rows[0]!.events_per_s).toBeGreaterThan(0);
    expect(summary(results)).toContain('### Targets');
  }, 300_000);
});
