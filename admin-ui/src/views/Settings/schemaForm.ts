// The settings form as the settings schema (plugin/settings.schema.json) describes it: each field's kind,
// choices, bounds and default come from the schema, and the form's text goes back into the document
// unchanged (a value out of range stays out of range, so validation refuses it instead of clamping it).
import { __, sprintf } from '@wordpress/i18n';
import { z } from 'zod';
import rawSchema from '../../../../plugin/settings.schema.json';
import type { ParsedSettings } from '../../../../sidecar/src/settingsSchema';

const nodeSchema = z.object({
  type: z.string().optional(),
  description: z.string().optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  enum: z.array(z.string()).optional(),
  default: z.unknown().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
});
export type SchemaNode = z.infer<typeof nodeSchema>;

/** The schema of one setting, by its dotted path (a path the schema does not have is a programming error). */
export function schemaNode(path: string): SchemaNode {
  let node = nodeSchema.parse(rawSchema);
  for (const key of path.split('.')) node = nodeSchema.parse(node.properties?.[key]);
  return node;
}

/** The form's value of each field by dotted path: text as typed, or a checkbox's state. */
export type Draft = Record<string, string | boolean>;

const get = (doc: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), doc);

/** A list is typed one entry a line (commas and spaces separate too). */
export const listEntries = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);
/** Pairs of statuses are typed "completed > refunded", separated by commas or lines. */
const pairEntries = (text: string): string[][] => text.split(/[,\n]+/).map((p) => p.trim()).filter(Boolean).map((p) => p.split('>').map((s) => s.trim()));

export function toDraft(settings: ParsedSettings, paths: string[]): Draft {
  const draft: Draft = {};
  for (const path of paths) {
    const value = get(settings, path);
    if (typeof value === 'boolean') draft[path] = value;
    else if (Array.isArray(value)) draft[path] = value.map((v) => (Array.isArray(v) ? v.join(' > ') : String(v))).join('\n');
    else draft[path] = value === undefined ? '' : String(value);
  }
  return draft;
}

/** The value a field's text stands for, by the schema's type: an empty number is missing, never 0 or a bound. */
function fromText(path: string, value: string | boolean): unknown {
  if (typeof value === 'boolean') return value;
  const node = schemaNode(path);
  if (node.type === 'integer') return value.trim() === '' ? undefined : Number(value.trim());
  if (node.type === 'array') return path === 'lifecycle.allowed_transitions' ? pairEntries(value) : listEntries(value);
  return value;
}

/** The settings with the draft's values put in: each section whole, as the form shows it. */
export function fromDraft(settings: ParsedSettings, draft: Draft): Record<string, unknown> {
  const doc = structuredClone(settings) as Record<string, unknown>;
  for (const [path, value] of Object.entries(draft)) {
    const keys = path.split('.');
    const last = keys.pop() as string;
    const parent = keys.reduce((v, k) => v[k] as Record<string, unknown>, doc);
    parent[last] = fromText(path, value);
  }
  return doc;
}

/** The help under a field: what it is, then the bounds and default the schema gives. */
export function schemaHelp(path: string, help?: string): string {
  const node = schemaNode(path);
  const parts = [help ?? node.description ?? ''];
  if (node.minimum !== undefined && node.maximum !== undefined) parts.push(sprintf(__('From %1$s to %2$s.', 'crm-bridge'), node.minimum.toLocaleString(), node.maximum.toLocaleString()));
  if (typeof node.default === 'number' || (typeof node.default === 'string' && node.default !== '')) parts.push(sprintf(__('Default: %s.', 'crm-bridge'), typeof node.default === 'number' ? node.default.toLocaleString() : node.default));
  return parts.filter(Boolean).join(' ');
}
