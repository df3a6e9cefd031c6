// The settings schema is one description: the sidecar's zod schema (also the admin screen's) must say
// exactly what plugin/settings.schema.json says, key by key, and both refuse the same documents.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { settingsSchema } from '../../sidecar/src/settingsSchema.ts';
import { parseSettings } from '../../sidecar/src/settings.ts';
import { settingsErrors } from '../../admin-ui/src/api/client.ts';
import { ROOT } from '../stack/paths.ts';

type Node = Record<string, unknown> & { properties?: Record<string, Node>; items?: Node; required?: string[]; additionalProperties?: boolean | Node };

const jsonSchema = JSON.parse(readFileSync(join(ROOT, 'plugin', 'settings.schema.json'), 'utf8')) as Node;
const zodSchema = z.toJSONSchema(settingsSchema, { io: 'input' }) as Node;

const CONSTRAINTS = ['type', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems'] as const;

/** Every constraint of a schema, by dotted path (`[]` for list items, `*` for a map's values). */
function constraints(node: Node, path = '$', required = true): Record<string, unknown> {
  const own: Record<string, unknown> = { required };
  for (const key of CONSTRAINTS) if (node[key] !== undefined) own[key] = node[key];
  // The same regular expression, however each side escapes a slash.
  if (typeof node.pattern === 'string') {
    own.pattern = new RegExp(node.pattern).source;
    // The form's description is the message when a value breaks the pattern, on both sides.
    own.description = node.description;
  }
  if (node.type === 'object') own.additionalProperties = node.additionalProperties === false ? false : 'map';
  let out: Record<string, unknown> = { [path]: own };
  for (const [key, child] of Object.entries(node.properties ?? {})) out = { ...out, ...constraints(child, `${path}.${key}`, (node.required ?? []).includes(key)) };
  if (typeof node.additionalProperties === 'object') out = { ...out, ...constraints(node.additionalProperties, `${path}.*`) };
  if (node.items) out = { ...out, ...constraints(node.items, `${path}[]`) };
  return out;
}

/** The document the JSON Schema's defaults make. */
function defaults(node: Node): unknown {
  if (!node.properties) return node.default;
  const out: Record<string, unknown> = { ...(node.default as Record<string, unknown> | undefined) };
  for (const [key, child] of Object.entries(node.properties)) if (child.default !== undefined) out[key] = defaults(child);
  return out;
}

const withDefaults = (patch: (d: Record<string, Record<string, unknown>>) => void) => {
  const doc = structuredClone(defaults(jsonSchema)) as Record<string, Record<string, unknown>>;
  patch(doc);
  return doc;
};
const errorPaths = (doc: unknown) => {
  const r = settingsSchema.safeParse(doc);
  return r.success ? [] : [...new Set(r.error.issues.map((i) => i.path.join('.')))];
};

describe('settings schema contract', () => {
  it('the zod schema has the JSON Schema’s keys, types, enums, ranges, lengths, patterns and required-ness', () => {
    expect(constraints(zodSchema)).toEqual(constraints(jsonSchema));
  });

  it('the JSON Schema refuses unknown keys in every section', () => {
    const open = Object.entries(constraints(jsonSchema)).filter(([, c]) => (c as { additionalProperties?: unknown }).additionalProperties === 'map');
    expect(open.map(([p]) => p)).toEqual(['$.mapping']);
  });

  it('the defaults make a valid document, with the optional settings left out', () => {
    const doc = withDefaults(() => undefined);
    expect(errorPaths(doc)).toEqual([]);
    expect(doc.incoming).not.toHaveProperty('event_id_path');
    expect(doc.crm).not.toHaveProperty('base_url');
  });

  it.each([
    ['an empty incoming JSON path', (d: Record<string, Record<string, unknown>>) => ((d.incoming!.paths as Record<string, unknown>).version = ''), 'incoming.paths.version'],
    ['an empty CRM JSON path', (d: Record<string, Record<string, unknown>>) => ((d.crm!.paths as Record<string, unknown>).status = ''), 'crm.paths.status'],
    ['a bracketed JSON path the readers do not follow', (d: Record<string, Record<string, unknown>>) => ((d.crm!.paths as Record<string, unknown>).status = '$.data[0].status'), 'crm.paths.status'],
    ['an empty optional setting', (d: Record<string, Record<string, unknown>>) => (d.incoming!.event_id_path = ''), 'incoming.event_id_path'],
    ['a section that is a string', (d: Record<string, unknown>) => (d.incoming = 'x'), 'incoming'],
    ['an unknown nested key', (d: Record<string, Record<string, unknown>>) => ((d.crm!.paths as Record<string, unknown>).colour = 'blue'), 'crm.paths'],
    ['a number out of range', (d: Record<string, Record<string, unknown>>) => (d.outgoing!.max_attempts = 100000), 'outgoing.max_attempts'],
  ])('%s is refused at its path', (_name, patch, path) => {
    expect(errorPaths(withDefaults(patch as (d: Record<string, Record<string, unknown>>) => void))).toEqual([path]);
  });

  it('the concurrency setting is the ceiling of the adaptive limit: described so on both sides, 64 by default', () => {
    const concurrency = jsonSchema.properties!.concurrency!;
    expect(concurrency.default).toBe(64);
    expect(concurrency.description).toMatch(/^The most CRM events one sidecar works on at once\. Below it, the sidecar sizes the work in flight/);
    expect(zodSchema.properties!.concurrency!.description).toBe(concurrency.description);
  });

  it('a dotted path through a list index is accepted, as both readers follow it', () => {
    expect(errorPaths(withDefaults((d) => ((d.crm!.paths as Record<string, unknown>).status = 'data.items.0.status')))).toEqual([]);
  });
});

describe('the admin screen’s check before saving', () => {
  const current = settingsSchema.parse(defaults(jsonSchema));

  it('names each wrong field of the sections it would send, as the server does', () => {
    const errors = settingsErrors(current, {
      crm: { ...current.crm, paths: { ...current.crm.paths, status: '' }, order_url_template: '/orders/by-id', timeout_ms: 5 },
      incoming: { ...current.incoming, allowed_ips: ['10.0.0.0/8', ''] },
    });
    expect(Object.keys(errors).sort()).toEqual(['crm.order_url_template', 'crm.paths.status', 'crm.timeout_ms', 'incoming.allowed_ips']);
    expect(errors['crm.order_url_template']).toBe('Enter a path on the CRM API that starts with / and contains {crm_order_id}, such as /orders/{crm_order_id}.');
  });

  it('treats an emptied optional setting as left out, and keeps the mapping as sent', () => {
    expect(settingsErrors(current, { crm: { ...current.crm, base_url: '', basic_user: '' }, incoming: { ...current.incoming, client_ip_header: '' }, mapping: { won: 'completed' } })).toEqual({});
  });
});

describe('the sidecar’s reading of the stored document', () => {
  const stored = () => defaults(jsonSchema) as Record<string, Record<string, unknown>>;

  it('reads an optional setting that is left out as empty', () => {
    const { settings } = parseSettings(JSON.stringify(stored()), undefined, undefined);
    expect(settings.crm.base_url).toBe('');
    expect(settings.crm.basic_user).toBe('');
  });

  it('refuses a document with a key the schema does not know, naming it', () => {
    const doc = stored();
    doc.outgoing!.follow_redirects = true;
    expect(() => parseSettings(JSON.stringify(doc), undefined, undefined)).toThrow(/follow_redirects/);
  });
});

describe('one verdict on every side', () => {
  // What PHP's validator says of one JSON path value (through the PHP unit tests' bootstrap: no WordPress).
  const phpErrors = (values: string[]): boolean[] =>
    JSON.parse(
      execFileSync('php', ['-r', `require ${JSON.stringify(join(ROOT, 'test', 'php', 'bootstrap.php'))};
        $node = \\CrmBridge\\Settings\\Schema::node( 'incoming.paths.type' );
        $out  = array();
        foreach ( json_decode( stream_get_contents( STDIN ), true ) as $value ) { $out[] = array() === \\CrmBridge\\Settings\\Schema::errors( $value, $node ); }
        echo json_encode( $out );`], { input: JSON.stringify(values), encoding: 'utf8' }),
    ) as boolean[];

  it('accepts and refuses the same JSON paths in PHP and in the sidecar, whitespace and long characters included', () => {
    const values = ['data.status', 'a b', 'a\tb', 'a\u00a0b', 'a\ufeffb', 'a\u0085b', 'a\u180eb', 'a\u2028b', 'x'.repeat(200), 'x'.repeat(201), '\u{1F600}'.repeat(200), '\u{1F600}'.repeat(201), 'd\u00e9j\u00e0.vu'];
    const zodVerdicts = values.map((v) => settingsSchema.shape.incoming.shape.paths.shape.type.safeParse(v).success);
    expect(phpErrors(values)).toEqual(zodVerdicts);
    // And the verdicts are the intended ones: ASCII whitespace and over 200 characters are refused.
    expect(zodVerdicts).toEqual([true, false, false, true, true, true, true, true, true, false, true, false, true]);
  });
});
