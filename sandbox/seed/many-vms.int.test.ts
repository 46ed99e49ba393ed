// A VM's scheduled actions as oned prints them (full in `onevm show -x`, IDs only in `onevm list -x`,
// valid against vm.xsd), and the bulk VMs helper: 2,000 VMs listed like any other, then removed.
import { describe, expect, it } from 'vitest';
import { testFrontend } from '../opennebula/test-frontend';
import { frontendPaths } from '../opennebula/paths';
import { readDb } from '../opennebula/store/db';
import { addVmSchedAction, createVm } from '../opennebula/ops/create-vm';
import { one, validate } from '../opennebula/test-support';
import { addManyVms, bulkKind, removeManyVms } from './many-vms';

const world = testFrontend('manyvms');

async function ok(...args: string[]): Promise<string> {
  const r = await one(world.info, 'oneadmin', 'onevm', ...args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe('VM scheduled actions', () => {
  it('are shown in full by onevm show -x and by ID in onevm list -x, valid against vm.xsd', async () => {
    const id = await createVm(frontendPaths(world.stateDir), { name: 'sched', uid: 0, disksMb: [8] });
    const sa = addVmSchedAction(frontendPaths(world.stateDir), id, {
      ACTION: 'backup',
      ARGS: '100,0',
      TIME: '1790000000',
      REPEAT: '0',
      DAYS: '1,4',
      END_TYPE: '0',
    });
    const shown = await ok('show', '-x', String(id));
    const v = await validate(shown, 'vm.xsd');
    expect(v.code, v.stderr).toBe(0);
    expect(shown).toContain(`<SCHED_ACTIONS>\n    <ID>${sa}</ID>\n  </SCHED_ACTIONS>`);
    expect(shown).toMatch(
      new RegExp(
        `<SCHED_ACTION>\\s*<ID>${sa}</ID>\\s*<PARENT_ID>${id}</PARENT_ID>\\s*<TYPE>VM</TYPE>\\s*<ACTION>backup</ACTION>\\s*<ARGS>100,0</ARGS>\\s*<TIME>1790000000</TIME>\\s*<REPEAT>0</REPEAT>\\s*<DAYS>1,4</DAYS>`,
      ),
    );
    const listed = await ok('list', '-x');
    expect(listed).toContain(`<ID>${sa}</ID>`);
    expect(listed).not.toContain('<SCHED_ACTION>');
  });

  it('refuses what oned refuses', () => {
    expect(() =>
      addVmSchedAction(frontendPaths(world.stateDir), 0, { ACTION: 'backup', TIME: '1', REPEAT: '7' }),
    ).toThrow(/Wrong REPEAT value/);
  });
});

describe('many VMs', () => {
  it('adds 2,000 VMs that onevm list -x prints, spread over owners and kinds, and removes them', async () => {
    const before = readDb(frontendPaths(world.stateDir)).vms.length;
    const ids = addManyVms(world.stateDir, { count: 2000 });
    expect(ids).toHaveLength(2000);
    const listed = await ok('list', '-x');
    expect(listed.match(/<VM>/g)).toHaveLength(before + 2000);
    const v = await validate(listed, 'vm_pool.xsd');
    expect(v.code, v.stderr.slice(0, 500)).toBe(0);
    // alice (uid 2) sees her third of them only.
    const alice = await one(world.info, 'alice', 'onevm', 'list', '-x');
    expect(alice.stdout.match(/<UNAME>alice<\/UNAME>/g)).toHaveLength(ids.filter((_, i) => i % 3 === 1).length);
    const kinds = new Set(ids.map((_, i) => bulkKind(i)));
    expect(kinds).toEqual(new Set(['failed', 'backing-up', 'poweroff', 'never']));
    const names = new Set(
      readDb(frontendPaths(world.stateDir))
        .vms.filter((x) => ids.includes(x.id))
        .map((x) => x.name),
    );
    expect(names.size).toBe(2000);
    removeManyVms(world.stateDir, ids);
    expect(readDb(frontendPaths(world.stateDir)).vms).toHaveLength(before);
  });
});
