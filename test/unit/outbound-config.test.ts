// CRM_BRIDGE_ALLOW_PRIVATE_URLS: only the sidecar's environment opens private networks, off by default.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../sidecar/src/config.ts';

const base = {
  CRM_BRIDGE_DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/wp',
  CRM_BRIDGE_WORDPRESS_URL: 'http://127.0.0.1:8080',
  CRM_BRIDGE_WP_USER: 'crm-bridge',
  CRM_BRIDGE_WP_APP_PASSWORD: 'abcd efgh ijkl mnop qrst uvwx',
};

describe('CRM_BRIDGE_ALLOW_PRIVATE_URLS', () => {
  it('is off by default', () => {
    expect(loadConfig(base).outbound.allowPrivateUrls).toBe(false);
  });

  it.each([
    ['1', true],
    ['true', true],
    ['YES', true],
    ['0', false],
    ['false', false],
    ['no', false],
  ])('reads %s as %s', (value, expected) => {
    expect(loadConfig({ ...base, CRM_BRIDGE_ALLOW_PRIVATE_URLS: value }).outbound.allowPrivateUrls).toBe(expected);
  });

  it('refuses anything else with one clear message', () => {
    expect(() => loadConfig({ ...base, CRM_BRIDGE_ALLOW_PRIVATE_URLS: 'maybe' })).toThrow(ConfigError);
    const problems = (() => {
      try {
        loadConfig({ ...base, CRM_BRIDGE_ALLOW_PRIVATE_URLS: 'on' });
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    })();
    expect(problems).toEqual(['CRM_BRIDGE_ALLOW_PRIVATE_URLS must be 1, true or yes (allow private addresses) or 0, false or no (the default)']);
  });
});
