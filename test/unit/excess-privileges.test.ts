// Which database grants go beyond the sidecar's need, read from SHOW GRANTS lines as MariaDB and MySQL print them.
import { describe, expect, it } from 'vitest';
import { findExcessPrivileges, neededPrivileges } from '../../sidecar/src/db/excessPrivileges.ts';
import { OPTIONS_VIEW, SIDECAR_TABLES } from '../../sidecar/src/db/schema.ts';

const need = neededPrivileges('shop', 'wp_', SIDECAR_TABLES, OPTIONS_VIEW);
const USAGE = "GRANT USAGE ON *.* TO `crm_bridge_sidecar`@`%` IDENTIFIED BY PASSWORD '*66F936ECC01641848C0263A8BAE23670D420FB87'";
const rows = (table: string, db = 'shop') => `GRANT SELECT, INSERT, UPDATE, DELETE ON \`${db}\`.\`${table}\` TO \`crm_bridge_sidecar\`@\`%\``;

describe('excess database privileges', () => {
  it('the documented grants are exactly the need', () => {
    const documented = [USAGE, ...SIDECAR_TABLES.map((t) => rows(`wp_${t}`)), 'GRANT SELECT ON `shop`.`wp_crm_bridge_options` TO `crm_bridge_sidecar`@`%`'];
    expect(findExcessPrivileges(documented, need)).toEqual([]);
  });

  it('fewer grants than the need are not an excess', () => {
    expect(findExcessPrivileges([USAGE, 'GRANT SELECT (option_name, option_value) ON `shop`.`wp_crm_bridge_options` TO `u`@`%`'], need)).toEqual([]);
  });

  it.each([
    ['ALL PRIVILEGES on everything', "GRANT ALL PRIVILEGES ON *.* TO `wordpress`@`%` IDENTIFIED BY PASSWORD '*AB'", { scope: 'global', object: '*.*', privileges: ['ALL PRIVILEGES'] }],
    ['one global privilege', 'GRANT PROCESS ON *.* TO `u`@`%`', { scope: 'global', object: '*.*', privileges: ['PROCESS'] }],
    ['a database-level grant (what WordPress users get)', 'GRANT ALL PRIVILEGES ON `shop`.* TO `wordpress`@`%`', { scope: 'database', object: '`shop`.*', privileges: ['ALL PRIVILEGES'] }],
    ['a database-level grant with an escaped name', 'GRANT SELECT ON `shop\\_db`.* TO `u`@`%`', { scope: 'database', object: '`shop\\_db`.*', privileges: ['SELECT'] }],
    ['a core table', 'GRANT SELECT ON `shop`.`wp_users` TO `u`@`%`', { scope: 'table', object: 'shop.wp_users', privileges: ['SELECT'] }],
    ['wp_options while the view is there', 'GRANT SELECT ON `shop`.`wp_options` TO `u`@`%`', { scope: 'table', object: 'shop.wp_options', privileges: ['SELECT'] }],
    ['a plugin table in another database', rows('wp_crm_bridge_inbox', 'other'), { scope: 'table', object: 'other.wp_crm_bridge_inbox', privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] }],
    ['DROP on a plugin table', 'GRANT SELECT, DROP, ALTER ON `shop`.`wp_crm_bridge_log` TO `u`@`%`', { scope: 'table', object: 'shop.wp_crm_bridge_log', privileges: ['DROP', 'ALTER'] }],
    ['writes to the options view', 'GRANT SELECT, UPDATE ON `shop`.`wp_crm_bridge_options` TO `u`@`%`', { scope: 'table', object: 'shop.wp_crm_bridge_options', privileges: ['UPDATE'] }],
    ['a column grant on a core table', 'GRANT SELECT (user_pass) ON `shop`.`wp_users` TO `u`@`%`', { scope: 'table', object: 'shop.wp_users', privileges: ['SELECT'] }],
    ['a routine', 'GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `u`@`%`', { scope: 'routine', object: 'PROCEDURE `shop`.`p`', privileges: ['EXECUTE'] }],
    ['a proxy grant', "GRANT PROXY ON ''@'%' TO 'u'@'%'", { scope: 'proxy', object: "''@'%'", privileges: ['PROXY'] }],
    ['a role', 'GRANT `dba` TO `u`@`%`', { scope: 'role', object: '`dba`', privileges: [] }],
  ])('%s is more than needed', (_name, line, excess) => {
    expect(findExcessPrivileges([USAGE, line], need)).toEqual([excess]);
  });

  it('the right to grant is more than needed, even on the plugin’s own tables', () => {
    expect(findExcessPrivileges([`${rows('wp_crm_bridge_inbox')} WITH GRANT OPTION`], need)).toEqual([
      { scope: 'grant option', object: '`shop`.`wp_crm_bridge_inbox`', privileges: ['GRANT OPTION'] },
    ]);
  });

  it('without the view, SELECT on wp_options is the need and nothing more on it', () => {
    const fallback = neededPrivileges('shop', 'wp_', SIDECAR_TABLES, 'options');
    expect(findExcessPrivileges(['GRANT SELECT ON `shop`.`wp_options` TO `u`@`%`'], fallback)).toEqual([]);
    expect(findExcessPrivileges(['GRANT SELECT, UPDATE ON `shop`.`wp_options` TO `u`@`%`'], fallback)).toEqual([{ scope: 'table', object: 'shop.wp_options', privileges: ['UPDATE'] }]);
  });

  it('a line it cannot read counts as more than needed, and the finding never repeats the line', () => {
    const [finding] = findExcessPrivileges(["SET DEFAULT ROLE x FOR 'u'@'%' IDENTIFIED BY PASSWORD '*SECRETHASH'"], need);
    expect(finding).toEqual({ scope: 'unrecognised', object: '', privileges: [] });
  });
});
