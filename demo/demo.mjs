// npm run demo: installs what is missing, builds, then hands over to demo.ts (which needs the npm packages).
import { spawnSync } from 'node:child_process';
import { ensureNodeModules, ROOT, step } from '../test/scripts/bootstrap.mjs';

ensureNodeModules();
step('system packages (MariaDB, PHP, WordPress)', 'npx', ['tsx', 'test/scripts/system-packages.ts']);
step('build admin UI and sidecar', 'npm', ['run', 'build']);
// tsx as a loader of this same Node, not through npx: one process, which Ctrl-C reaches directly. This
// one ignores Ctrl-C (the terminal sends it to both) and waits, so the prompt comes back once all is stopped.
process.on('SIGINT', () => {});
const res = spawnSync(process.execPath, ['--import', 'tsx', 'demo/demo.ts', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
process.exit(res.status ?? 1);
