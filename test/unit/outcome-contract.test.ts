// The write endpoint's vocabulary is the same on both sides: the plugin's Outcome constants (read by
// PHP itself) equal the sidecar's zod enums, and every decision the endpoint logs is one the sidecar's
// log and the admin screen's log filter know.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OUTCOME_DECISIONS } from '../../sidecar/src/outcome.ts';
import { applyOutcomeSchema, applySourceSchema } from '../../sidecar/src/wordpress/apply.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function phpVocabulary(): { all: string[]; guard: string[]; sources: string[]; decisions: string[]; unchanged: string } {
  const code = `define( 'ABSPATH', '/' ); require ${JSON.stringify(`${root}plugin/src/Outcome/Outcome.php`)};
    use CrmBridge\\Outcome\\Outcome;
    echo json_encode( array( 'all' => Outcome::ALL, 'guard' => Outcome::GUARD, 'sources' => Outcome::SOURCES, 'decisions' => Outcome::DECISIONS, 'unchanged' => Outcome::decision( Outcome::UNCHANGED ) ) );`;
  return JSON.parse(execFileSync('php', ['-r', code], { encoding: 'utf8' })) as ReturnType<typeof phpVocabulary>;
}

describe('the write endpoint’s vocabulary', () => {
  const php = phpVocabulary();

  it('outcomes: the plugin’s Outcome::ALL is the sidecar’s result enum', () => {
    expect(php.all).toEqual(applyOutcomeSchema.options);
    expect(applyOutcomeSchema.options).toEqual(expect.arrayContaining(php.guard));
  });

  it('sources: the plugin’s Outcome::SOURCES is the sidecar’s source enum', () => {
    expect(php.sources).toEqual(applySourceSchema.options);
  });

  it('decisions: what the endpoint logs is what the sidecar maps outcomes to, and the admin log filter offers each', () => {
    expect(php.decisions.filter((d) => d !== 'verified')).toEqual([...OUTCOME_DECISIONS]);
    expect(php.unchanged).toBe('applied');
    // The admin UI's list of decisions for the log filter.
    const view = readFileSync(`${root}admin-ui/src/views/Log/LogView.tsx`, 'utf8');
    const list = /const DECISIONS = \[([^\]]*)\]/.exec(view);
    expect(list, 'the log view lists its decisions in const DECISIONS').not.toBeNull();
    const offered = [...list![1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]);
    expect(offered).toEqual(expect.arrayContaining(php.decisions));
  });
});
