// Starts the test stack once for the whole run (both WordPress versions) and stops it afterwards.
import type { TestProject } from 'vitest/node';
import { down, up } from '../stack/stack.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const state = await up({ name: 'test', versions: ['6.1', '6.5'] });
  project.provide('stack', state);
  return async () => {
    if (!process.env.CRM_BRIDGE_KEEP_STACK) await down('test');
  };
}
