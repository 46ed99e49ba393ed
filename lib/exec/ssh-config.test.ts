import { describe, expect, it } from 'vitest';
import { resolveHost } from './ssh-config';

const CONFIG = `
Host backup.sandbox
  HostName 127.0.0.1
  Port 2222
  User oneadmin
  IdentityFile /srv/keys/id_ed25519

Host *.example.org
  User admin
  Port 2200

Host *
  Port 22
  IdentityFile ~/.ssh/id_other
`;

describe('resolveHost', () => {
  it('applies the alias block first, then later matching blocks', () => {
    const s = resolveHost(CONFIG, 'backup.sandbox');
    expect(s).toMatchObject({ hostName: '127.0.0.1', port: 2222, user: 'oneadmin' });
    expect(s.identityFiles[0]).toBe('/srv/keys/id_ed25519');
  });

  it('matches wildcard hosts and keeps the name as HostName', () => {
    expect(resolveHost(CONFIG, 'bk1.example.org')).toMatchObject({
      hostName: 'bk1.example.org',
      port: 2200,
      user: 'admin',
    });
  });

  it('expands ~ in IdentityFile and works without a config', () => {
    expect(resolveHost(CONFIG, 'other').identityFiles[0]).not.toContain('~');
    expect(resolveHost(undefined, 'plain')).toMatchObject({ hostName: 'plain', port: 22 });
  });
});
