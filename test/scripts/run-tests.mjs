// npm test: installs what is missing, builds, then runs every check; exits non-zero on any failure.
//   type checks → php -l on every PHP file → the plugin's PHP unit tests (phpunit) → unit and
//   integration tests (real MariaDB, WordPress, Chromium).
import { ensureNodeModules, step } from './bootstrap.mjs';

ensureNodeModules();
step('system packages (MariaDB, PHP, WordPress, phpunit, Chromium, docker-compose)', 'npx', ['tsx', 'test/scripts/system-packages.ts']);
step('build admin UI and sidecar', 'npm', ['run', 'build']);
step('type checks', 'npm', ['run', 'typecheck']);
step('php -l on every PHP file', 'node', ['test/scripts/php-lint.mjs']);
step('PHP unit tests (phpunit)', 'npm', ['run', '--silent', 'test:php']);
step('unit and integration tests', 'npx', ['vitest', 'run', ...process.argv.slice(2)]);
