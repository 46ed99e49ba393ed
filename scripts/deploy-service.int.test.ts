// deploy/backstone.service, checked by systemd's own verifier (a wrong key, value or command is
// printed as a warning, so any output fails the test), and read for what the unit must promise.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@/sandbox/common/state';

const UNIT = join(repoRoot, 'deploy', 'backstone.service');

/** The unit's [Service] settings, each name with every value it is given. */
function serviceSettings(): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  let section = '';
  for (const raw of readFileSync(UNIT, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) section = header[1]!;
    else if (section === 'Service') {
      const at = line.indexOf('=');
      const name = line.slice(0, at);
      settings.set(name, [...(settings.get(name) ?? []), line.slice(at + 1)]);
    }
  }
  return settings;
}

describe('the systemd unit', () => {
  it('passes systemd-analyze verify without a warning', () => {
    const r = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('runs as oneadmin, configured from /etc/one, hardened, restarted on failure', () => {
    const s = serviceSettings();
    const one = (name: string) => s.get(name)?.at(-1);
    expect(one('User')).toBe('oneadmin');
    expect(one('EnvironmentFile')).toBe('-/etc/one/backstone.env');
    expect(s.get('Environment')?.join(' ')).toContain('BACKSTONE_DATA_DIR=/var/lib/one/backstone');
    expect(one('StateDirectory')).toBe('one/backstone');
    expect(one('ExecStart')).toMatch(/^node \/opt\/backstone\/server\.js /);
    expect(one('StandardOutput')).toBe('journal');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ProtectHome')).toBe('read-only');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('RestrictAddressFamilies')).toBe('AF_UNIX AF_INET AF_INET6');
    expect(one('Restart')).toBe('on-failure');
    expect(one('KillSignal')).toBe('SIGTERM');
    // Jobs get their grace inside the stop timeout, then are marked interrupted before the kill.
    const grace = Number(/BACKSTONE_STOP_GRACE_SECONDS=(\d+)/.exec(s.get('Environment')!.join(' '))![1]);
    expect(grace).toBeLessThan(Number(one('TimeoutStopSec')));
    // Node's JIT writes executable memory: this setting would crash it at start.
    expect(s.has('MemoryDenyWriteExecute')).toBe(false);
  });

  it('holds no secret', () => {
    const text = readFileSync(UNIT, 'utf8');
    expect(text).not.toMatch(/SESSION_SECRET=|PASSWORD|one_auth:|BEGIN .*PRIVATE KEY/i);
  });
});
