import { describe, expect, it } from 'vitest';
import { parseOneVersion, versionAtLeast } from './version';

describe("OpenNebula's version from the CLI", () => {
  it('reads the first line of --version', () => {
    const v = parseOneVersion('OpenNebula 7.4.0\nCopyright 2002-2025, OpenNebula Project, OpenNebula Systems\n');
    expect(v).toEqual({ major: 7, minor: 4, patch: 0, text: '7.4.0' });
    expect(versionAtLeast(v!, 7, 4)).toBe(true);
    expect(versionAtLeast(parseOneVersion('OpenNebula 7.2.1\n')!, 7, 4)).toBe(false);
    expect(versionAtLeast(parseOneVersion('OpenNebula 8.0\n')!, 7, 4)).toBe(true);
  });

  it('names no version for other output', () => {
    expect(parseOneVersion('onedatastore: unknown option\n')).toBeUndefined();
  });
});
