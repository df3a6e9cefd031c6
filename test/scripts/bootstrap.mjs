// Shared by `npm test` and `npm run demo`: installs the npm dependencies when they are missing or
// older than package-lock.json, using nothing but Node itself (this runs before anything is installed).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** npm's own warnings and notices (funding, audit, install scripts) drown the lines that matter: errors only. */
const QUIET_NPM = { npm_config_loglevel: process.env.npm_config_loglevel || 'error', npm_config_fund: 'false', npm_config_audit: 'false' };

export function step(title, cmd, args, opts = {}) {
  process.stdout.write(`\n▶ ${title}\n`);
  const res = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...(cmd === 'npm' || cmd === 'npx' ? QUIET_NPM : {}), ...opts.env } });
  if (res.status !== 0) {
    process.stderr.write(`\n✗ ${title} failed (exit ${res.status ?? res.signal})\n`);
    process.exit(res.status || 1);
  }
}

export function ensureNodeModules() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  step('installing npm dependencies (npm ci)', 'npm', ['ci']);
}
