// The kysely instance over a mysql2 pool, with WordPress's table prefix added to every table name.
import { Kysely, MysqlDialect, OperationNodeTransformer, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow, type TableNode } from 'kysely';
import { createPool, type Pool } from 'mysql2';
import { OPTIONS_VIEW, tables, type Database } from './schema.js';

/** Every table name the sidecar may query; anything else in a TableNode is an alias and stays as it is. */
const KNOWN_TABLES: ReadonlySet<string> = new Set([...Object.keys(tables), 'options', OPTIONS_VIEW]);

class PrefixTransformer extends OperationNodeTransformer {
  constructor(private readonly prefix: string) {
    super();
  }

  protected override transformTable(node: TableNode): TableNode {
    const transformed = super.transformTable(node);
    const identifier = transformed.table.identifier;
    if (!KNOWN_TABLES.has(identifier.name)) return transformed;
    return {
      ...transformed,
      table: { ...transformed.table, identifier: { ...identifier, name: this.prefix + identifier.name } },
    };
  }
}

/** Adds $table_prefix to table names, as $wpdb->prefix does in PHP. */
export class TablePrefixPlugin implements KyselyPlugin {
  private readonly transformer: PrefixTransformer;

  constructor(prefix: string) {
    this.transformer = new PrefixTransformer(prefix);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: Pool;
  destroy(): Promise<void>;
}

/** Opens the pool. Times are UTC both ways, like the plugin's gmdate() columns. */
export function connect(url: string, tablePrefix: string, opts: { connectionLimit?: number } = {}): DatabaseHandle {
  const u = new URL(url);
  const pool = createPool({
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    timezone: 'Z',
    dateStrings: false,
    charset: 'utf8mb4',
    connectionLimit: opts.connectionLimit ?? 10,
    enableKeepAlive: true,
  });
  const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }), plugins: [new TablePrefixPlugin(tablePrefix)] });
  return { db, pool, destroy: () => db.destroy() };
}
