// Installs the Debian packages the tests and the demo need (or explains how, when not root).
import { DEBIAN_PACKAGES } from '../stack/stack.ts';
import { ensureDebianPackages, StackError } from '../stack/system.ts';

try {
  ensureDebianPackages([...DEBIAN_PACKAGES, 'chromium', 'docker-compose']);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(err instanceof StackError ? err.exitCode : 1);
}
