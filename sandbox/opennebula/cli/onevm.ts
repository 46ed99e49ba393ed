// onevm list | show | backup | backup-cancel | poweroff | resume | restore | updateconf
import { readFileSync } from 'node:fs';
import { parseArgs, XML, type Parsed } from './args';
import { callerPath, login, printXml, resolve, table, type Ctx } from './context';
import { OneError, actionError, notFound } from '../errors';
import { withDb } from '../store/db';
import type { Db, Vm } from '../store/types';
import { vmXml } from '../xml/vm-xml';
import { visible, authorize } from '../permissions';
import { spawnJob } from '../ops/jobs';
import { backupDatastore, datastoreProblem, enterBackup, stateProblem } from '../ops/backup-start';
import { requestBackupCancel } from '../ops/backup-job';
import { IMAGE_TYPE, LCM_STATE, VM_STATE, stateStr } from '../ops/states';
import { updateConf } from '../ops/updateconf';
import { parseOrRefuse } from './onedatastore';

export function onevm(ctx: Ctx, argv: string[]): number {
  const [cmd, ...rest] = argv;
  const a = parseArgs(rest, [
    XML,
    { name: 'datastore', short: 'd', value: true },
    { name: 'reset' },
    { name: 'increment', value: true },
    { name: 'disk-id', value: true },
    { name: 'append', short: 'a' },
  ]);
  switch (cmd) {
    case 'list':
      return list(ctx, a);
    case 'show':
      return show(ctx, a);
    case 'backup':
      return backup(ctx, a);
    case 'backup-cancel':
      return backupCancel(ctx, a);
    case 'poweroff':
    case 'resume':
      return action(ctx, a, cmd);
    case 'restore':
      return restore(ctx, a);
    case 'updateconf':
      return updateconf(ctx, a);
    default:
      throw new OneError(`onevm: unknown command ${cmd ?? ''}`.trim());
  }
}

function stateName(state: number, lcm: number): string {
  if (state === VM_STATE.POWEROFF) return 'poff';
  if (lcm === LCM_STATE.BACKUP || lcm === LCM_STATE.BACKUP_POWEROFF) return 'back';
  if (lcm === LCM_STATE.RESTORE) return 'rest';
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
  if (a.options.xml) printXml(ctx, vmXml(db, vm, true));
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

/**
 * A VM argument as the CLI's helper takes it: a name is looked up in the pool by the CLI itself
 * (its errors carry no prefix); an ID goes to oned as it is, which answers for a missing VM.
 */
function vmId(db: Db, arg: string | undefined, method: string): number {
  if (arg !== undefined && /^\d+$/.test(arg)) return Number(arg);
  return resolve(db.vms, arg, 'VM', method, 'VM').id;
}

function getVm(db: Db, id: number, method: string): Vm {
  const vm = db.vms.find((v) => v.id === id);
  if (!vm) throw notFound(method, 'VM', id);
  return vm;
}

/** The CLI's own wording around an oned error: `STDERR.puts "<prefix>: #{rc.message}"; exit(-1)`. */
function prefixed<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof OneError) throw new OneError(`${prefix}: ${err.message}`, err.toStdout, err.exitCode);
    throw err;
  }
}

function backup(ctx: Ctx, a: Parsed): number {
  const M = 'one.vm.backup';
  const { db, s } = login(ctx, M);
  const id = vmId(db, a.positionals[0], M);
  if (a.options.datastore === undefined) {
    ctx.err('Datastore to save the backup is mandatory: \n\t -d datastore_id | name');
    return 255;
  }
  const dsArg = String(a.options.datastore);
  const dsId = /^\d+$/.test(dsArg) ? Number(dsArg) : resolve(db.datastores, dsArg, 'DATASTORE', M, 'DATASTORE').id;
  const reset = !!a.options.reset;
  // VirtualMachineAPI::backup's checks in their order, then DispatchManager::backup's state check.
  return prefixed('Error creating VM backup', () => {
    const vm = getVm(db, id, M);
    if (vm.backupConfig.BACKUP_JOB_ID !== undefined && vm.backupConfig.BACKUP_JOB_ID !== '')
      throw actionError(
        M,
        'Unable to start an individual backup for the Virtual Machine, it is part of Backup Job ID -1',
      );
    const target = backupDatastore(db, vm, dsId, reset);
    if ('missingImage' in target) throw notFound(M, 'IMAGE', target.missingImage);
    const problem = datastoreProblem(db, target.dsId);
    if (problem === 'missing') throw notFound(M, 'DATASTORE', target.dsId);
    if (problem) throw actionError(M, problem);
    // oned.conf lists backup among VM_ADMIN_OPERATIONS.
    authorize(s, M, vm, 'ADMIN', 'VM');
    authorize(
      s,
      M,
      db.datastores.find((d) => d.id === target.dsId)!,
      'USE',
      'DATASTORE',
    );
    withDb(ctx.paths, (d) => {
      const v = getVm(d, id, M);
      const wrong = stateProblem(v);
      if (wrong) throw actionError(M, wrong);
      enterBackup(d, id, target.dsId, reset);
    });
    spawnJob(ctx.paths, { kind: 'backup', request: { vmId: id, dsId: target.dsId, reset } }, ctx.env);
    return 0;
  });
}

function backupCancel(ctx: Ctx, a: Parsed): number {
  const M = 'one.vm.backupcancel';
  const { db, s } = login(ctx, M);
  const id = vmId(db, a.positionals[0], M);
  return prefixed('Error canceling VM backup', () => {
    authorize(s, M, getVm(db, id, M), 'ADMIN', 'VM');
    withDb(ctx.paths, (d) => {
      getVm(d, id, M);
      if (!requestBackupCancel(d, id))
        throw actionError(M, `Could not cancel backup for VM ${id}, no backup in progress`);
    });
    return 0;
  });
}

/** Comma lists and ranges of VM IDs ("1,2", "3..5"), as the CLI's vmid_list takes them. */
function idList(db: Db, args: string[], method: string): number[] {
  if (!args.length) throw new OneError('one parameter to run');
  return args.flatMap((arg) =>
    arg.split(',').flatMap((part) => {
      const r = /^(\d+)\.\.(\d+)$/.exec(part);
      if (r) return Array.from({ length: Math.max(0, Number(r[2]) - Number(r[1]) + 1) }, (_, i) => Number(r[1]) + i);
      return [vmId(db, part, method)];
    }),
  );
}

/** one.vm.action poweroff | resume (DispatchManager::poweroff / resume), VM_MANAGE_OPERATIONS. */
function action(ctx: Ctx, a: Parsed, name: 'poweroff' | 'resume'): number {
  const M = 'one.vm.action';
  const { db, s } = login(ctx, M);
  let code = 0;
  for (const id of idList(db, a.positionals, M)) {
    try {
      authorize(s, M, getVm(db, id, M), 'MANAGE', 'VM');
      withDb(ctx.paths, (d) => {
        const v = getVm(d, id, M);
        const running = v.state === VM_STATE.ACTIVE && v.lcmState === LCM_STATE.RUNNING;
        if (name === 'poweroff' && running) {
          Object.assign(v, { prevState: v.state, prevLcmState: v.lcmState });
          Object.assign(v, { state: VM_STATE.POWEROFF, lcmState: LCM_STATE.LCM_INIT });
        } else if (name === 'resume' && v.state === VM_STATE.POWEROFF) {
          Object.assign(v, { prevState: v.state, prevLcmState: v.lcmState });
          Object.assign(v, { state: VM_STATE.ACTIVE, lcmState: LCM_STATE.RUNNING });
        } else {
          throw actionError(
            M,
            `Error performing action "${name}": This action is not available for state ${stateStr(v.state, v.lcmState)}`,
          );
        }
      });
    } catch (err) {
      if (!(err instanceof OneError)) throw err;
      // perform_actions prints each failure and goes on with the next VM.
      ctx.err(err.message);
      code = 255;
    }
  }
  return code;
}

function intOption(a: Parsed, name: string): number {
  const v = a.options[name];
  if (v === undefined) return -1;
  if (typeof v !== 'string' || !/^-?\d+$/.test(v))
    throw new OneError(`argument --${name}: invalid value: ${String(v)}`);
  return Number(v);
}

/** one.vm.restore: VirtualMachineAPI::restore's checks, then DispatchManager::restore. */
function restore(ctx: Ctx, a: Parsed): number {
  const M = 'one.vm.restore';
  const { db, s } = login(ctx, M);
  const id = vmId(db, a.positionals[0], M);
  const imgArg = a.positionals[1];
  if (imgArg === undefined) throw new OneError('two parameters to run');
  const imageId = /^\d+$/.test(imgArg) ? Number(imgArg) : resolve(db.images, imgArg, 'IMAGE', M, 'IMAGE').id;
  const incrementId = intOption(a, 'increment');
  const diskId = intOption(a, 'disk-id');
  return prefixed('Error restoring', () => {
    const vm = getVm(db, id, M);
    if (diskId !== -1 && !vm.disks.some((d) => d.id === diskId)) throw actionError(M, 'VM disk does not exist');
    const img = db.images.find((i) => i.id === imageId);
    if (!img) throw notFound(M, 'IMAGE', imageId);
    if (img.type !== IMAGE_TYPE.BACKUP) throw actionError(M, 'Image has to be of type BACKUP');
    const last = img.increments[img.increments.length - 1]?.id ?? -1;
    if (incrementId > last) throw actionError(M, 'Wrong increment');
    authorize(s, M, vm, 'ADMIN', 'VM');
    authorize(s, M, img, 'USE', 'IMAGE');
    withDb(ctx.paths, (d) => {
      const v = getVm(d, id, M);
      if (v.state !== VM_STATE.POWEROFF) throw actionError(M, 'Could not restore VM, it must be in poweroff');
      Object.assign(v, { prevState: v.state, prevLcmState: v.lcmState });
      Object.assign(v, { state: VM_STATE.ACTIVE, lcmState: LCM_STATE.RESTORE });
    });
    spawnJob(ctx.paths, { kind: 'restore-vm', request: { vmId: id, imageId, incrementId, diskId } }, ctx.env);
    return 0;
  });
}

function readTemplateArg(ctx: Ctx, file: string | undefined): string {
  if (file !== undefined) {
    try {
      return readFileSync(callerPath(ctx, file), 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why =
        e.code === 'ENOENT' ? 'No such file or directory' : e.code === 'EACCES' ? 'Permission denied' : e.message;
      throw new OneError(`Error reading template: ${why} @ rb_sysopen - ${file}.`);
    }
  }
  // Without a file the CLI reads a template piped on stdin, else opens an editor (not simulated).
  if (!ctx.readStdin) throw new OneError('onevm updateconf: give a template file (the editor is not simulated)');
  try {
    return ctx.readStdin();
  } catch {
    return '';
  }
}

/** one.vm.updateconf (0 replace, 1 append with -a), VM_MANAGE_OPERATIONS. */
function updateconf(ctx: Ctx, a: Parsed): number {
  const M = 'one.vm.updateconf';
  const text = readTemplateArg(ctx, a.positionals[1]);
  const { db, s } = login(ctx, M);
  const id = vmId(db, a.positionals[0], M);
  const tmpl = parseOrRefuse(M, text);
  authorize(s, M, getVm(db, id, M), 'MANAGE', 'VM');
  withDb(ctx.paths, (d) => {
    const err = updateConf(getVm(d, id, M), tmpl, !!a.options.append);
    if (err) throw actionError(M, err);
  });
  return 0;
}
