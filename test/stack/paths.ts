// Where the repository and the stacks' private state live.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Each named stack (test, demo, bench) keeps its own database server and sites under .stack/<name>. */
export function stackDir(name: string): string {
  return process.env.CRM_BRIDGE_STACK_DIR ? join(process.env.CRM_BRIDGE_STACK_DIR, name) : join(ROOT, '.stack', name);
}
