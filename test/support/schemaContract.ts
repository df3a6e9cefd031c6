// Compares the sidecar's table description with the columns MySQL reports for the plugin's tables.
import type { Pool } from 'mysql2/promise';
import { mysqlTypesOf, tables, type ColumnKind } from '../../sidecar/src/db/schema.ts';

export interface DbColumn {
  table: string;
  column: string;
  dataType: string;
  nullable: boolean;
}

type Description = Record<string, Record<string, { kind: ColumnKind; nullable: boolean }>>;

/** Every difference between the description and the database, one readable line each. */
export function compareSchema(description: Description, columns: DbColumn[], prefix: string): string[] {
  const problems: string[] = [];
  for (const [table, cols] of Object.entries(description)) {
    const actual = new Map(columns.filter((c) => c.table === prefix + table).map((c) => [c.column, c]));
    if (actual.size === 0) {
      problems.push(`table ${prefix + table} is missing in the database`);
      continue;
    }
    for (const [name, want] of Object.entries(cols)) {
      const got = actual.get(name);
      if (!got) {
        problems.push(`${table}.${name} is declared by the sidecar but missing in the database`);
        continue;
      }
      if (!mysqlTypesOf[want.kind].includes(got.dataType)) problems.push(`${table}.${name} is ${got.dataType} in the database, the sidecar expects ${want.kind}`);
      if (got.nullable !== want.nullable) problems.push(`${table}.${name} is ${got.nullable ? '' : 'NOT '}NULL in the database, the sidecar expects ${want.nullable ? '' : 'NOT '}NULL`);
      actual.delete(name);
    }
    for (const extra of actual.keys()) problems.push(`${table}.${extra} exists in the database but the sidecar does not declare it`);
  }
  const known = new Set(Object.keys(description).map((t) => prefix + t));
  for (const t of new Set(columns.map((c) => c.table))) {
    if (!known.has(t)) problems.push(`table ${t} exists in the database but the sidecar does not declare it`);
  }
  return problems;
}

/** The columns of every table of the plugin (by prefix) in the given database; views (the sidecar's options view) are not tables. */
export async function readPluginColumns(pool: Pool, database: string, prefix: string): Promise<DbColumn[]> {
  const [rows] = await pool.query(
    `SELECT c.TABLE_NAME AS t, c.COLUMN_NAME AS c, c.DATA_TYPE AS d, c.IS_NULLABLE AS n
       FROM information_schema.COLUMNS c
       JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
      WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME LIKE ? AND t.TABLE_TYPE = 'BASE TABLE'`,
    [database, `${prefix.replaceAll('_', '\\_')}crm\\_bridge\\_%`],
  );
  return (rows as { t: string; c: string; d: string; n: string }[]).map((r) => ({ table: r.t, column: r.c, dataType: r.d.toLowerCase(), nullable: r.n === 'YES' }));
}

export { tables };
