// npm run test:chaos: the reliability suite at full size (thousands of events per scenario, a
// ten-minute load run). `npm test` runs the same scenarios at a size that fits CI.
import { ensureNodeModules, step } from './bootstrap.mjs';

ensureNodeModules();
step('system packages (MariaDB, PHP, WordPress, Chromium, docker-compose)', 'npx', ['tsx', 'test/scripts/system-packages.ts']);
step('build admin UI and sidecar', 'npm', ['run', 'build']);
step('reliability suite (full size)', 'npx', ['vitest', 'run', '--project', 'integration', 'test/chaos', ...process.argv.slice(2)], {
  env: { CRM_BRIDGE_CHAOS_SCALE: 'full', CRM_BRIDGE_STACK: process.env.CRM_BRIDGE_STACK ?? 'chaos' },
});
step('figures (the README table)', 'npx', ['tsx', 'test/chaos/table.ts']);
