import { describe, expect, it } from 'vitest';
import { DummyDriver, Kysely, MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler } from 'kysely';
import { TablePrefixPlugin } from '../../sidecar/src/db/connection.ts';
import type { Database } from '../../sidecar/src/db/schema.ts';

const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new MysqlAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new MysqlIntrospector(k),
    createQueryCompiler: () => new MysqlQueryCompiler(),
  },
  plugins: [new TablePrefixPlugin('shop7_')],
});

describe('table prefix', () => {
  it('prefixes every table like $wpdb->prefix, including aliased and qualified references', () => {
    const { sql } = db
      .selectFrom('crm_bridge_inbox as i')
      .innerJoin('crm_bridge_links', 'crm_bridge_links.crm_order_id', 'i.crm_order_id')
      .select(['i.id', 'crm_bridge_links.order_id'])
      .where('i.status', '=', 'pending')
      .compile();
    expect(sql).toBe(
      'select `i`.`id`, `shop7_crm_bridge_links`.`order_id` from `shop7_crm_bridge_inbox` as `i` inner join `shop7_crm_bridge_links` on `shop7_crm_bridge_links`.`crm_order_id` = `i`.`crm_order_id` where `i`.`status` = ?',
    );
  });

  it('prefixes WordPress core tables and writes', () => {
    expect(db.selectFrom('options').select('option_value').compile().sql).toBe('select `option_value` from `shop7_options`');
    expect(db.deleteFrom('crm_bridge_sidecars').where('worker_id', '=', 'w').compile().sql).toBe('delete from `shop7_crm_bridge_sidecars` where `worker_id` = ?');
  });
});
