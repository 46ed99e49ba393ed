import { describe, expect, it } from 'vitest';
import { oneObjectLink } from './opennebula-links';

describe('links to what a restore made in OpenNebula', () => {
  it("link to Sunstone's image and VM template views when a Sunstone URL is configured", () => {
    const base = 'https://one.example.org/fireedge/sunstone';
    expect(oneObjectLink(base, 'image', 12)).toEqual({ kind: 'sunstone', href: `${base}/image/12` });
    expect(oneObjectLink(base, 'vm-template', 7)).toEqual({ kind: 'sunstone', href: `${base}/vm-template/7` });
    // A trailing slash in the setting does not double.
    expect(oneObjectLink(`${base}/`, 'image', 0)).toEqual({ kind: 'sunstone', href: `${base}/image/0` });
  });

  it('give the exact CLI command to see it when there is no Sunstone URL', () => {
    expect(oneObjectLink(undefined, 'image', 12)).toEqual({ kind: 'command', command: 'oneimage show 12' });
    expect(oneObjectLink(undefined, 'vm-template', 7)).toEqual({ kind: 'command', command: 'onetemplate show 7' });
  });

  it('refuses anything but an OpenNebula ID', () => {
    expect(() => oneObjectLink(undefined, 'image', -1)).toThrow();
    expect(() => oneObjectLink('https://x', 'image', 1.5)).toThrow();
  });
});
