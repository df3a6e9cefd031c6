// docker-compose.yml describes WordPress + MariaDB + the sidecar; no engine runs here, so the file is
// validated with docker-compose itself and the resolved configuration is checked.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../stack/paths.ts';
import { run } from '../stack/system.ts';
import { NARROW_GRANTS, SIDECAR_TABLES } from '../../sidecar/src/db/schema.ts';

interface Service {
  image?: string;
  environment: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  entrypoint?: string[];
  volumes?: string[];
}

const KEY = 'dGVzdC1rZXktZm9yLWNvbXBvc2UtY2hlY2tzLTMyYnl0ZXM=';

function resolved(env: Record<string, string>): { services: Record<string, Service> } {
  const config = run('docker-compose', ['-f', join(ROOT, 'docker-compose.yml'), 'config'], { env: { ...process.env, CRM_BRIDGE_WP_APP_PASSWORD: 'xxxx xxxx xxxx xxxx xxxx xxxx', ...env } });
  // docker-compose 1.x prints YAML only; its own Python (with PyYAML) turns that into JSON.
  const json = run('python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], { input: config });
  return JSON.parse(json) as { services: Record<string, Service> };
}

describe('docker-compose.yml', () => {
  it('is valid and wires the sidecar to the WordPress database', () => {
    const { services } = resolved({ CRM_BRIDGE_ENCRYPTION_KEY: KEY });
    expect(Object.keys(services).sort()).toEqual(['db', 'sidecar', 'sidecar-db-user', 'wordpress']);
    expect(services.sidecar!.environment.CRM_BRIDGE_DATABASE_URL).toMatch(/@db:3306\/wordpress$/);
  });

  it('gives WordPress and the sidecar the same encryption key, and refuses to run without one', () => {
    const { services } = resolved({ CRM_BRIDGE_ENCRYPTION_KEY: KEY });
    expect(services.sidecar!.environment.CRM_BRIDGE_ENCRYPTION_KEY).toBe(KEY);
    expect(services.wordpress!.environment.CRM_BRIDGE_ENCRYPTION_KEY).toBe(KEY);
    // The official image evaluates WORDPRESS_CONFIG_EXTRA in wp-config.php: the constant is read from the environment.
    expect(services.wordpress!.environment.WORDPRESS_CONFIG_EXTRA).toContain("define( 'CRM_BRIDGE_ENCRYPTION_KEY', getenv_docker( 'CRM_BRIDGE_ENCRYPTION_KEY', '' ) );");
    expect(() => resolved({ CRM_BRIDGE_ENCRYPTION_KEY: '' })).toThrow(/CRM_BRIDGE_ENCRYPTION_KEY/);
  });

  it('runs the sidecar on its own database user, created with the documented grants before it starts', () => {
    const { services } = resolved({ CRM_BRIDGE_ENCRYPTION_KEY: KEY, CRM_BRIDGE_SIDECAR_DB_PASSWORD: 'sidecar-pw', CRM_BRIDGE_DB_PASSWORD: 'wordpress-pw' });
    const url = new URL(services.sidecar!.environment.CRM_BRIDGE_DATABASE_URL!);
    expect([url.username, url.password]).toEqual(['crm_bridge_sidecar', 'sidecar-pw']);
    expect(JSON.stringify(services.sidecar)).not.toContain('wordpress-pw');
    expect(services.sidecar!.depends_on?.['sidecar-db-user']).toEqual({ condition: 'service_completed_successfully' });
    const init = services['sidecar-db-user']!;
    expect(init.environment.CRM_BRIDGE_SIDECAR_DB_PASSWORD).toBe('sidecar-pw');
    expect(init.entrypoint).toEqual(['sh', '/crm-bridge/sidecar-db-user.sh']);
    expect(init.volumes).toContain(`${join(ROOT, 'docker', 'mariadb')}:/crm-bridge:ro`);
  });

  it('grants the sidecar every table it declares (narrowly where declared so) and the options view, nothing else', () => {
    const grants = readFileSync(join(ROOT, 'docker', 'mariadb', 'sidecar-grants.sql'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('GRANT'));
    expect(grants.sort()).toEqual(
      [
        ...SIDECAR_TABLES.map((t) => `GRANT SELECT, INSERT, UPDATE, DELETE ON \`wordpress\`.\`wp_${t}\` TO 'crm_bridge_sidecar'@'%';`),
        ...[...NARROW_GRANTS].map(([t, privileges]) => `GRANT ${[...privileges].join(', ')} ON \`wordpress\`.\`wp_${t}\` TO 'crm_bridge_sidecar'@'%';`),
        "GRANT SELECT ON `wordpress`.`wp_crm_bridge_options` TO 'crm_bridge_sidecar'@'%';",
      ].sort(),
    );
  });

  it('builds the sidecar on a supported Node LTS', () => {
    const from = readFileSync(join(ROOT, 'sidecar', 'Dockerfile'), 'utf8').match(/^FROM \S+/gm) ?? [];
    expect(from.length).toBeGreaterThan(0);
    for (const line of from) expect(line).toMatch(/^FROM node:(22|24)[-.]/);
  });
});
