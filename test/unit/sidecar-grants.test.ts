// The grants documented for the sidecar's database user (docker/mariadb/sidecar-grants.sql, which
// docker-compose applies) against what the sidecar checks it needs: the same, table by table, and
// no more than reading and answering on the connection tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExcessPrivileges, neededPrivileges } from '../../sidecar/src/db/excessPrivileges.ts';
import { OPTIONS_VIEW, SIDECAR_TABLES } from '../../sidecar/src/db/schema.ts';
import { ROOT } from '../stack/paths.ts';

const documented = readFileSync(join(ROOT, 'docker', 'mariadb', 'sidecar-grants.sql'), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('GRANT '))
  .map((line) => line.replace(/;\s*$/, ''));
const need = neededPrivileges('wordpress', 'wp_', SIDECAR_TABLES, OPTIONS_VIEW);

/** Table → privileges, as the grant lines give them. */
const granted = new Map(
  documented.map((line) => {
    const [, privileges, table] = /^GRANT (.+) ON `wordpress`\.`(\w+)` TO /.exec(line)!;
    return [table!, privileges!.split(', ')] as const;
  }),
);

describe('the documented sidecar grants', () => {
  it('give nothing beyond the need', () => {
    expect(findExcessPrivileges(documented, need)).toEqual([]);
  });

  it('cover every table of the need with exactly its privileges', () => {
    expect(Object.fromEntries([...granted].map(([t, p]) => [t, [...p].sort()]))).toEqual(Object.fromEntries([...need.tables].map(([t, p]) => [t, [...p].sort()])));
  });

  it('let the sidecar read and answer connection tests, not request or delete them', () => {
    expect(granted.get('wp_crm_bridge_connection_tests')).toEqual(['SELECT', 'UPDATE']);
    expect(findExcessPrivileges(['GRANT SELECT, INSERT, UPDATE, DELETE ON `wordpress`.`wp_crm_bridge_connection_tests` TO `crm_bridge_sidecar`@`%`'], need)).toEqual([
      { scope: 'table', object: 'wordpress.wp_crm_bridge_connection_tests', privileges: ['INSERT', 'DELETE'] },
    ]);
  });
});
