// Prints the figures of the last reliability run (test-results/chaos/*.json) as the README's table.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../stack/paths.ts';
import type { Figures } from './harness.ts';

const ORDER = ['sigkill', 'database-outage', 'crm-faults', 'replicas-2', 'replicas-4', 'duplicates-reorder', 'secret-rotation', 'sustained-load'];
const NAMES: Record<string, string> = {
  sigkill: '1. SIGKILL at random points',
  'database-outage': '2. MariaDB stopped',
  'crm-faults': '3. CRM 500/429/timeouts',
  'replicas-2': '4. two replicas',
  'replicas-4': '4. four replicas',
  'duplicates-reorder': '5. duplicates ×3, reordered',
  'secret-rotation': '6. secret rotation',
  'sustained-load': '8. sustained load',
};

const dir = join(ROOT, 'test-results', 'chaos');
if (!existsSync(dir)) {
  console.error('no figures yet: run npm run test:chaos');
  process.exit(1);
}
const runs = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.endsWith('-samples.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Figures & { scale: string })
  .sort((a, b) => ORDER.indexOf(a.scenario) - ORDER.indexOf(b.scenario));
const lines = [
  '| scenario | in: sent | applied once | superseded | lost | duplicated | drift | out: events | delivered | redelivered | lost | duplicated | out of order | echoes | time |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...runs.map((r) => {
    const i = r.incoming;
    const o = r.outgoing;
    return `| ${NAMES[r.scenario] ?? r.scenario}${r.scale === 'full' ? '' : ' (reduced)'} | ${i.sent} | ${i.appliedOnce} | ${i.superseded} | **${i.lost}** | **${i.duplicated}** | ${i.drift} | ${o.events} | ${o.delivered} | ${o.redelivered} | **${o.lost}** | **${o.duplicated}** | ${o.outOfOrder} | ${o.echoes} | ${Math.round(r.seconds)} s |`;
  }),
];
console.log(lines.join('\n'));
