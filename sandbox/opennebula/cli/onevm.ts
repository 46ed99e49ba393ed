// onevm list | show | backup
import { parseArgs, XML, type Parsed } from './args';
import { login, printXml, resolve, table, type Ctx } from './context';
import { OneError, actionError } from '../errors';
import { withDb } from '../store/db';
import { vmXml } from '../xml/vm-xml';
import { visible, authorize } from '../permissions';
import { spawnJob } from '../ops/jobs';
import { enterBackup } from '../ops/run-job';
import { DS_TYPE, LCM_STATE, VM_STATE } from '../ops/states';

export function onevm(ctx: Ctx, argv: string[]): number {
  const [cmd, ...rest] = argv;
  const a = parseArgs(rest, [XML, { name: 'datastore', short: 'd', value: true }, { name: 'reset' }]);
  switch (cmd) {
    case 'list':
      return list(ctx, a);
    case 'show':
      return show(ctx, a);
    case 'backup':
      return backup(ctx, a);
    default:
      throw new OneError(`onevm: unknown command ${cmd ?? ''}`.trim());
  }
}

function stateName(state: number, lcm: number): string {
  if (state === VM_STATE.POWEROFF) return 'poff';
  if (lcm === LCM_STATE.BACKUP || lcm === LCM_STATE.BACKUP_POWEROFF) return 'back';
  return state === VM_STATE.ACTIVE ? 'runn' : 'unkn';
}

function list(ctx: Ctx, a: Parsed): number {
  const { db, s } = login(ctx, 'one.vmpool.info');
  const vms = visible(s, db.vms, 'VM');
  if (a.options.xml) {
    printXml(ctx, `<VM_POOL>${vms.map((v) => vmXml(db, v)).join('')}</VM_POOL>`);
    return 0;
  }
  const rows = vms.map((v) => [
    v.id,
    db.users.find((u) => u.id === v.uid)?.name ?? '',
    db.groups.find((g) => g.id === v.gid)?.name ?? '',
    v.name,
    stateName(v.state, v.lcmState),
    db.hosts.find((h) => h.id === v.hostId)?.name ?? '',
  ]);
  ctx.out(table(['ID', 'USER', 'GROUP', 'NAME', 'STAT', 'HOST'], rows));
  return 0;
}

function show(ctx: Ctx, a: Parsed): number {
  const M = 'one.vm.info';
  const { db, s } = login(ctx, M);
  const vm = resolve(db.vms, a.positionals[0], 'VM', M, 'VM');
  authorize(s, M, vm, 'USE', 'VM');
  if (a.options.xml) printXml(ctx, vmXml(db, vm));
  else
    ctx.out(
      [
        `VIRTUAL MACHINE ${vm.id} INFORMATION`,
        `ID                  : ${vm.id}`,
        `NAME                : ${vm.name}`,
        `STATE               : ${stateName(vm.state, vm.lcmState)}`,
        `BACKUP IDS          : ${vm.backupIds.join(',')}`,
      ].join('\n'),
    );
  return 0;
}

function backup(ctx: Ctx, a: Parsed): number {
  const M = 'one.vm.backup';
  const { db, s } = login(ctx, M);
  const vm = resolve(db.vms, a.positionals[0], 'VM', M, 'VM');
  if (a.options.datastore === undefined) {
    process.stderr.write('Datastore to save the backup is mandatory: \n\t -d datastore_id | name\n');
    return 255;
  }
  const ds = resolve(db.datastores, String(a.options.datastore), 'DATASTORE', M, 'DATASTORE');
  // oned.conf lists backup among VM_ADMIN_OPERATIONS.
  authorize(s, M, vm, 'ADMIN', 'VM');
  authorize(s, M, ds, 'USE', 'DATASTORE');
  if (ds.type !== DS_TYPE.BACKUP_DS) throw actionError(M, `Datastore ${ds.id} is not a backup datastore.`);
  withDb(ctx.paths, (d) => {
    const v = d.vms.find((x) => x.id === vm.id)!;
    const runnable = (v.state === VM_STATE.ACTIVE && v.lcmState === LCM_STATE.RUNNING) || v.state === VM_STATE.POWEROFF;
    if (!runnable)
      throw actionError(M, `Error creating VM backup: wrong state ${stateName(v.state, v.lcmState).toUpperCase()}.`);
    enterBackup(d, vm.id);
  });
  spawnJob(ctx.paths, { kind: 'backup', request: { vmId: vm.id, dsId: ds.id, reset: !!a.options.reset } });
  return 0;
}
