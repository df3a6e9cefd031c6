// Installs the Debian packages the tests and the demo need (or explains how, when not root):
// the stack's, phpunit for the plugin's PHP unit tests, Chromium for the browser tests.
import { DEBIAN_PACKAGES } from '../stack/stack.ts';
import { ensureDebianPackages, StackError } from '../stack/system.ts';

try {
  ensureDebianPackages([...DEBIAN_PACKAGES, 'phpunit', 'chromium', 'docker-compose']);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(err instanceof StackError ? err.exitCode : 1);
}
