// Reading a CRM order document as the settings describe it: dotted JSON paths, and the comparable
// version (the CRM's integer version, or updated_at in epoch milliseconds). One reading for verify
// answers and for the CRM's answer to order.created, so both compare alike.
import { z } from 'zod';
import type { Settings } from './settings.js';

const versionNumber = z.number().int().nonnegative();

/** Follows a dotted JSON path ("data.status"); an empty path is the document itself. */
export function jsonPath(data: unknown, path: string): unknown {
  if (path === '') return data;
  let cur: unknown = data;
  for (const step of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, step)) return undefined;
    cur = (cur as Record<string, unknown>)[step];
  }
  return cur;
}

/** The document's version, or null when it has none where the settings say it is. */
export function crmVersionOf(data: unknown, crm: Settings['crm']): number | null {
  if (crm.version_source === 'version') {
    const v = versionNumber.safeParse(jsonPath(data, crm.paths.version));
    return v.success ? v.data : null;
  }
  const at = jsonPath(data, crm.paths.updated_at);
  const ms = typeof at === 'string' ? Date.parse(at) : NaN;
  return Number.isNaN(ms) ? null : ms;
}
