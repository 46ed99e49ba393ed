import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './index';

describe('BACKSTONE_SUNSTONE_URL', () => {
  it('is optional', () => {
    expect(parseConfig({}).sunstoneUrl).toBeUndefined();
    expect(parseConfig({ BACKSTONE_SUNSTONE_URL: '  ' }).sunstoneUrl).toBeUndefined();
  });

  it('takes an http(s) URL, without its trailing slash', () => {
    expect(parseConfig({ BACKSTONE_SUNSTONE_URL: 'https://one.example.org/fireedge/sunstone/' }).sunstoneUrl).toBe(
      'https://one.example.org/fireedge/sunstone',
    );
    expect(parseConfig({ BACKSTONE_SUNSTONE_URL: 'http://10.0.0.1:2616/fireedge/sunstone' }).sunstoneUrl).toBe(
      'http://10.0.0.1:2616/fireedge/sunstone',
    );
  });

  it('refuses anything else with a clear message', () => {
    for (const bad of ['javascript:alert(1)', 'ftp://one/sunstone', 'one.example.org', 'https://u:p@one/sunstone'])
      expect(() => parseConfig({ BACKSTONE_SUNSTONE_URL: bad })).toThrow(ConfigError);
    expect(() => parseConfig({ BACKSTONE_SUNSTONE_URL: 'javascript:alert(1)' })).toThrow(
      /BACKSTONE_SUNSTONE_URL: must be an http\(s\) URL/,
    );
  });
});
