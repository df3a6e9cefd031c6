// Compares the sidecar's database grants (the lines of SHOW GRANTS) with what it needs: row access to
// the plugin's tables (less on a few), SELECT on the plugin's options view, nothing else. Pure: no database here.
import { NARROW_GRANTS } from './schema.js';

/** What the sidecar needs, in the database it uses. */
export interface NeededPrivileges {
  database: string;
  /** Full table or view name (with the WordPress prefix) → the privileges the sidecar uses on it. */
  tables: ReadonlyMap<string, ReadonlySet<string>>;
}

/** One grant beyond the need, as it can be logged: object and privileges, never the grant line (it may hold a password hash). */
export interface ExcessPrivilege {
  scope: 'global' | 'database' | 'table' | 'routine' | 'proxy' | 'role' | 'grant option' | 'unrecognised';
  object: string;
  privileges: string[];
}

const GRANT_ON = /^GRANT\s+(.+?)\s+ON\s+(.+?)\s+TO\s+(.+)$/is;
const GRANT_ROLE = /^GRANT\s+(.+?)\s+TO\s+/is;
const IDENT = '`((?:[^`]|``)*)`';
const TABLE_OBJECT = new RegExp(`^(?:TABLE\\s+)?${IDENT}\\.${IDENT}$`, 'i');
const DATABASE_OBJECT = new RegExp(`^${IDENT}\\.\\*$`);

const unquote = (name: string): string => name.replace(/``/g, '`');

/** "SELECT (a, b), INSERT" → ["SELECT", "INSERT"]: column lists go, commas inside them do not split. */
function privilegesOf(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of list) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((p) => p.replace(/\(.*\)/s, '').trim().toUpperCase()).filter((p) => p !== '');
}

function assessLine(line: string, need: NeededPrivileges): ExcessPrivilege[] {
  const grant = GRANT_ON.exec(line.trim());
  if (!grant) {
    const role = GRANT_ROLE.exec(line.trim());
    // A role's privileges are not in the lines: count the role itself as more than needed.
    return [role ? { scope: 'role', object: role[1]!, privileges: [] } : { scope: 'unrecognised', object: '', privileges: [] }];
  }
  const privileges = privilegesOf(grant[1]!);
  const object = grant[2]!.trim();
  const excess: ExcessPrivilege[] = /GRANT\s+OPTION/i.test(grant[3]!) ? [{ scope: 'grant option', object, privileges: ['GRANT OPTION'] }] : [];
  if (privileges.includes('PROXY')) return [...excess, { scope: 'proxy', object, privileges }];
  if (/^(PROCEDURE|FUNCTION|PACKAGE)\b/i.test(object)) return [...excess, { scope: 'routine', object, privileges }];
  if (object === '*.*') {
    const beyondUsage = privileges.filter((p) => p !== 'USAGE');
    return beyondUsage.length > 0 ? [...excess, { scope: 'global', object, privileges: beyondUsage }] : excess;
  }
  if (DATABASE_OBJECT.test(object)) return [...excess, { scope: 'database', object, privileges }];
  const table = TABLE_OBJECT.exec(object);
  if (!table) return [...excess, { scope: 'unrecognised', object, privileges }];
  const [database, name] = [unquote(table[1]!), unquote(table[2]!)];
  const allowed = database === need.database ? need.tables.get(name) : undefined;
  const beyond = privileges.filter((p) => !allowed?.has(p));
  return beyond.length > 0 ? [...excess, { scope: 'table', object: `${database}.${name}`, privileges: beyond }] : excess;
}

/** Every grant beyond the need; empty when the user holds exactly what the sidecar uses (or less). */
export function findExcessPrivileges(grantLines: readonly string[], need: NeededPrivileges): ExcessPrivilege[] {
  return grantLines.flatMap((line) => assessLine(line, need));
}

/**
 * What the sidecar uses, for a table prefix: row access to its tables, the narrower grants where it
 * needs less, SELECT on the options view (or on wp_options without it).
 */
export function neededPrivileges(database: string, tablePrefix: string, pluginTables: readonly string[], optionsSource: string): NeededPrivileges {
  const rows = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
  return {
    database,
    tables: new Map<string, ReadonlySet<string>>([
      ...pluginTables.map((t) => [tablePrefix + t, rows] as const),
      ...[...NARROW_GRANTS].map(([t, privileges]) => [tablePrefix + t, privileges] as const),
      [tablePrefix + optionsSource, new Set(['SELECT'])],
    ]),
  };
}
