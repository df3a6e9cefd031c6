import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../sidecar/src/config.ts';

const valid = {
  CRM_BRIDGE_DATABASE_URL: 'mysql://wp:s3cret@127.0.0.1:3306/shop',
  CRM_BRIDGE_WORDPRESS_URL: 'https://shop.example/',
  CRM_BRIDGE_WP_USER: 'crm-bridge-sidecar',
  CRM_BRIDGE_WP_APP_PASSWORD: 'abcd efgh ijkl mnop qrst uvwx',
};

describe('sidecar configuration', () => {
  it('turns a complete environment into a typed config with defaults', () => {
    const config = loadConfig(valid);
    expect(config.database).toEqual({ url: valid.CRM_BRIDGE_DATABASE_URL, tablePrefix: 'wp_' });
    expect(config.wordpress.url).toBe('https://shop.example');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.heartbeatMs).toBe(5000);
    expect(config.writeRequests).toBe(4);
    expect(config.workerId.length).toBeGreaterThan(0);
  });

  it('takes the number of write requests from the environment, and names the variable when it is not a count from 1 to 64', () => {
    expect(loadConfig({ ...valid, CRM_BRIDGE_WRITE_REQUESTS: '12' }).writeRequests).toBe(12);
    for (const [value, message] of [
      ['0', 'must be at least 1'],
      ['65', 'must be at most 64'],
      ['2.5', 'must be a whole number'],
      ['many', 'must be a number of requests (1-64)'],
    ] as const) {
      expect(() => loadConfig({ ...valid, CRM_BRIDGE_WRITE_REQUESTS: value })).toThrow(`CRM_BRIDGE_WRITE_REQUESTS ${message}`);
    }
  });

  it('reports every wrong or missing value on its own line, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({ CRM_BRIDGE_DATABASE_URL: 'postgres://x/y', CRM_BRIDGE_TABLE_PREFIX: 'wp-;drop', CRM_BRIDGE_HTTP_PORT: '99999', CRM_BRIDGE_WORDPRESS_URL: 'ftp://shop' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(6);
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual(
      ['CRM_BRIDGE_DATABASE_URL', 'CRM_BRIDGE_HTTP_PORT', 'CRM_BRIDGE_TABLE_PREFIX', 'CRM_BRIDGE_WORDPRESS_URL', 'CRM_BRIDGE_WP_APP_PASSWORD', 'CRM_BRIDGE_WP_USER'].sort(),
    );
    expect(problems.find((p) => p.startsWith('CRM_BRIDGE_WP_USER'))).toMatch(/is required/);
  });

  it('never echoes the application password or database password in its messages', () => {
    try {
      loadConfig({ ...valid, CRM_BRIDGE_DATABASE_URL: 'mysql://wp:topsecretpw@', CRM_BRIDGE_WP_APP_PASSWORD: 'short-secret' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('topsecretpw');
      expect((err as Error).message).not.toContain('short-secret');
    }
  });
});
