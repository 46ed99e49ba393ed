import { describe, expect, it } from 'vitest';
import { evaluateCgroups } from './host-cgroups';

describe('cgroup delegation on a host', () => {
  const file = '/sys/fs/cgroup/user.slice/user-9869.slice/user@9869.service/cgroup.controllers';
  it('passes with cpu, cpuset and io delegated', () => {
    const c = evaluateCgroups('kvm1', {
      USER: 'oneadmin',
      UID: '9869',
      FILE: file,
      CONTROLLERS: 'cpuset cpu io memory pids',
    });
    expect(c.status).toBe('pass');
  });
  it('names the missing controllers and gives the delegate.conf fix', () => {
    const c = evaluateCgroups('kvm1', { USER: 'oneadmin', UID: '9869', FILE: file, CONTROLLERS: 'memory pids' });
    expect(c.status).toBe('fail');
    expect(c.detail).toContain('cpu, cpuset, io are not delegated');
    expect(c.fix).toContain('/etc/systemd/system/user@9869.service.d/delegate.conf');
    expect(c.fix).toContain('Delegate=cpu cpuset io');
  });
  it('fails when the user manager is not running, with linger in the fix', () => {
    const c = evaluateCgroups('kvm1', { USER: 'oneadmin', UID: '9869', FILE: file, MISSING: 'yes' });
    expect(c.status).toBe('fail');
    expect(c.fix).toContain('loginctl enable-linger oneadmin');
  });
});
