import { describe, expect, it } from 'vitest';
import { compareSchema, tables, type DbColumn } from '../support/schemaContract.ts';
import { mysqlTypesOf, type ColumnKind } from '../../sidecar/src/db/schema.ts';

/** The columns a database matching the description exactly would report. */
function matchingColumns(prefix: string): DbColumn[] {
  return Object.entries(tables).flatMap(([table, cols]) =>
    Object.entries(cols as Record<string, { kind: ColumnKind; nullable: boolean }>).map(([column, c]) => ({
      table: prefix + table,
      column,
      dataType: mysqlTypesOf[c.kind][0]!,
      nullable: c.nullable,
    })),
  );
}

describe('schema contract comparison', () => {
  it('finds nothing when the database matches the description', () => {
    expect(compareSchema(tables, matchingColumns('wp_'), 'wp_')).toEqual([]);
  });

  it('reports a column renamed in the database only, from both sides', () => {
    const cols = matchingColumns('wp_').map((c) => (c.table === 'wp_crm_bridge_inbox' && c.column === 'event_id' ? { ...c, column: 'message_id' } : c));
    expect(compareSchema(tables, cols, 'wp_')).toEqual([
      'crm_bridge_inbox.event_id is declared by the sidecar but missing in the database',
      'crm_bridge_inbox.message_id exists in the database but the sidecar does not declare it',
    ]);
  });

  it('reports a column renamed in the sidecar only', () => {
    const { event_id, ...inbox } = tables.crm_bridge_inbox;
    const renamed = { ...tables, crm_bridge_inbox: { ...inbox, message_id: event_id } };
    expect(compareSchema(renamed, matchingColumns('wp_'), 'wp_')).toEqual([
      'crm_bridge_inbox.message_id is declared by the sidecar but missing in the database',
      'crm_bridge_inbox.event_id exists in the database but the sidecar does not declare it',
    ]);
  });

  it('reports type and nullability drift and missing or unknown tables', () => {
    const cols = matchingColumns('wp_')
      .filter((c) => c.table !== 'wp_crm_bridge_refusals')
      .map((c) => (c.table === 'wp_crm_bridge_log' && c.column === 'attempt' ? { ...c, dataType: 'varchar', nullable: true } : c));
    cols.push({ table: 'wp_crm_bridge_unknown', column: 'id', dataType: 'bigint', nullable: false });
    expect(compareSchema(tables, cols, 'wp_')).toEqual([
      'crm_bridge_log.attempt is varchar in the database, the sidecar expects int',
      'crm_bridge_log.attempt is NULL in the database, the sidecar expects NOT NULL',
      'table wp_crm_bridge_refusals is missing in the database',
      'table wp_crm_bridge_unknown exists in the database but the sidecar does not declare it',
    ]);
  });
});
