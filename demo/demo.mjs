// npm run demo: installs what is missing, builds, then hands over to demo.ts (which needs the npm packages).
import { spawnSync } from 'node:child_process';
import { ensureNodeModules, ROOT, step } from '../test/scripts/bootstrap.mjs';

ensureNodeModules();
step('system packages (MariaDB, PHP, WordPress)', 'npx', ['tsx', 'test/scripts/system-packages.ts']);
step('build admin UI and sidecar', 'npm', ['run', 'build']);
const res = spawnSync('npx', ['tsx', 'demo/demo.ts', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
process.exit(res.status ?? 1);
