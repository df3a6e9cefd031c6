// docker-compose.yml describes WordPress + MySQL + the sidecar; no engine runs here, so it is validated.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT } from '../stack/paths.ts';
import { run } from '../stack/system.ts';

describe('docker-compose.yml', () => {
  it('is valid and wires the sidecar to the WordPress database', () => {
    const config = run('docker-compose', ['-f', join(ROOT, 'docker-compose.yml'), 'config'], { env: { ...process.env, CRM_BRIDGE_WP_APP_PASSWORD: 'xxxx xxxx xxxx xxxx xxxx xxxx' } });
    expect(config).toMatch(/services:/);
    for (const service of ['db:', 'wordpress:', 'sidecar:']) expect(config).toContain(service);
    expect(config).toContain('CRM_BRIDGE_DATABASE_URL');
  });
});
