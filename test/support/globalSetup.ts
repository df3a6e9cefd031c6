// Starts the test stack once for the whole run (both WordPress versions) and stops it afterwards.
import type { TestProject } from 'vitest/node';
import { down, up } from '../stack/stack.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // One stack per suite run; `npm run test:chaos` uses its own, so it can run beside `npm test`.
  const name = process.env.CRM_BRIDGE_STACK ?? 'test';
  const state = await up({ name, versions: ['6.1', '6.5'] });
  project.provide('stack', state);
  return async () => {
    if (!process.env.CRM_BRIDGE_KEEP_STACK) await down(name);
  };
}
