// onebackupjob create | list | show | backup
import { readFileSync } from 'node:fs';
import { parseArgs, XML, type Parsed } from './args';
import { login, printXml, resolve, table, type Ctx } from './context';
import { OneError, actionError, allocateError, authorizationError } from '../errors';
import { withDb } from '../store/db';
import { backupJobXml } from '../xml/other-xml';
import { visible, authorize } from '../permissions';
import { spawnJob } from '../ops/jobs';
import { enterBackup } from '../ops/run-job';
import { getValue, removeAttr } from '../template/template';
import { parseOrRefuse } from './onedatastore';
import { checkName } from './names';
import { DS_TYPE, LCM_STATE, VM_STATE } from '../ops/states';

export function onebackupjob(ctx: Ctx, argv: string[]): number {
  const [cmd, ...rest] = argv;
  const a = parseArgs(rest, [XML, { name: 'reset' }]);
  switch (cmd) {
    case 'create':
      return create(ctx, a);
    case 'list':
      return list(ctx, a);
    case 'show':
      return show(ctx, a);
    case 'backup':
      return backup(ctx, a);
    default:
      throw new OneError(`onebackupjob: unknown command ${cmd ?? ''}`.trim());
  }
}

function create(ctx: Ctx, a: Parsed): number {
  const M = 'one.backupjob.allocate';
  const { s } = login(ctx, M);
  const file = a.positionals[0];
  if (!file) throw new OneError('one parameter to run');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new OneError(`No such file or directory @ rb_sysopen - ${file}`);
  }
  if (!s.admin) throw authorizationError(M, s.uid, 'CREATE', 'BACKUPJOB');
  let t = parseOrRefuse(M, text);
  const name = getValue(t, 'NAME') ?? '';
  if (!name) throw allocateError(M, 'BACKUPJOB', 'No NAME in template.');
  checkName(M, 'BACKUPJOB', name);
  const priority = Number(getValue(t, 'PRIORITY') ?? 50);
  t = removeAttr(removeAttr(t, 'NAME'), 'PRIORITY');
  if (getValue(t, 'BACKUP_VMS') === undefined) t = [...t, { name: 'BACKUP_VMS', value: '' }];
  const id = withDb(ctx.paths, (d) => {
    const newId = d.nextId.backupjob++;
    const vms = vmList(getValue(t, 'BACKUP_VMS'));
    d.backupjobs.push({
      id: newId,
      uid: s.uid,
      gid: s.gid,
      name,
      perms: [1, 1, 0, 0, 0, 0, 0, 0, 0],
      priority,
      lastBackupTime: 0,
      lastBackupDuration: 0,
      updatedVms: [],
      outdatedVms: vms,
      backingUpVms: [],
      errorVms: [],
      template: t,
    });
    for (const v of d.vms) if (vms.includes(v.id)) v.backupConfig.BACKUP_JOB_ID = String(newId);
    return newId;
  });
  ctx.out(`ID: ${id}`);
  return 0;
}

function vmList(v: string | undefined): number[] {
  return (v ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => /^\d+$/.test(x))
    .map(Number);
}

function list(ctx: Ctx, a: Parsed): number {
  const { db, s } = login(ctx, 'one.backupjobpool.info');
  const jobs = visible(s, db.backupjobs, 'BACKUPJOB');
  if (a.options.xml) {
    printXml(ctx, `<BACKUPJOB_POOL>${jobs.map((j) => backupJobXml(db, j)).join('')}</BACKUPJOB_POOL>`);
    return 0;
  }
  ctx.out(
    table(
      ['ID', 'USER', 'GROUP', 'PRIO', 'NAME', 'LAST', 'VMS'],
      jobs.map((j) => [
        j.id,
        db.users.find((u) => u.id === j.uid)?.name ?? '',
        db.groups.find((g) => g.id === j.gid)?.name ?? '',
        j.priority,
        j.name,
        j.lastBackupTime ? new Date(j.lastBackupTime * 1000).toISOString() : '-',
        getValue(j.template, 'BACKUP_VMS') ?? '',
      ]),
    ),
  );
  return 0;
}

function show(ctx: Ctx, a: Parsed): number {
  const M = 'one.backupjob.info';
  const { db, s } = login(ctx, M);
  const bj = resolve(db.backupjobs, a.positionals[0], 'BACKUPJOB', M, 'BACKUPJOB');
  authorize(s, M, bj, 'USE', 'BACKUPJOB');
  if (a.options.xml) printXml(ctx, backupJobXml(db, bj));
  else
    ctx.out(
      [
        `BACKUP JOB ${bj.id} INFORMATION`,
        `ID             : ${bj.id}`,
        `NAME           : ${bj.name}`,
        `BACKUP_VMS     : ${getValue(bj.template, 'BACKUP_VMS') ?? ''}`,
      ].join('\n'),
    );
  return 0;
}

function backup(ctx: Ctx, a: Parsed): number {
  const M = 'one.backupjob.backup';
  const { db, s } = login(ctx, M);
  const bj = resolve(db.backupjobs, a.positionals[0], 'BACKUPJOB', M, 'BACKUPJOB');
  authorize(s, M, bj, 'ADMIN', 'BACKUPJOB');
  const dsId = Number(getValue(bj.template, 'DATASTORE_ID') ?? -1);
  const ds = db.datastores.find((d) => d.id === dsId);
  if (!ds || ds.type !== DS_TYPE.BACKUP_DS) throw actionError(M, `Backup Job ${bj.id} has no valid DATASTORE_ID.`);
  const vmIds = vmList(getValue(bj.template, 'BACKUP_VMS')).filter((id) => db.vms.some((v) => v.id === id));
  withDb(ctx.paths, (d) => {
    const job = d.backupjobs.find((j) => j.id === bj.id)!;
    for (const vmId of vmIds) {
      const v = d.vms.find((x) => x.id === vmId)!;
      const runnable =
        (v.state === VM_STATE.ACTIVE && v.lcmState === LCM_STATE.RUNNING) || v.state === VM_STATE.POWEROFF;
      if (!runnable) throw actionError(M, `VM ${vmId} is not in a state to be backed up.`);
      // The job's settings drive the VMs' backups.
      for (const k of ['MODE', 'KEEP_LAST', 'FS_FREEZE', 'BACKUP_VOLATILE']) {
        const val = getValue(job.template, k);
        if (val !== undefined) v.backupConfig[k] = val;
      }
      v.backupConfig.BACKUP_JOB_ID = String(job.id);
    }
    job.backingUpVms = [...vmIds];
    job.outdatedVms = [...vmIds];
    job.updatedVms = [];
    job.errorVms = [];
    if (vmIds[0] !== undefined) enterBackup(d, vmIds[0]);
  });
  spawnJob(ctx.paths, { kind: 'backupjob', bjId: bj.id, vmIds, dsId, reset: !!a.options.reset });
  return 0;
}
