// The sandbox's demo accounts. Passwords are fixed so a person can type them; they protect nothing
// but a local sandbox.
export type DemoAccount = {
  id: number;
  name: string;
  password: string;
  group: string;
  gid: number;
  role: 'admin' | 'user';
};

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { id: 0, name: 'oneadmin', password: 'sandbox-oneadmin', group: 'oneadmin', gid: 0, role: 'admin' },
  { id: 2, name: 'alice', password: 'sandbox-alice', group: 'users', gid: 1, role: 'user' },
  // A second VM owner in the same group: what one owner may see of another's backups is tested
  // with two owners whose VMs share one Backup Job.
  { id: 3, name: 'bob', password: 'sandbox-bob', group: 'users', gid: 1, role: 'user' },
];
