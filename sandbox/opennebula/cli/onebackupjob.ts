// onebackupjob create | list | show | backup | cancel | retry
import { readFileSync } from 'node:fs';
import { parseArgs, XML, type Parsed } from './args';
import { callerPath, login, printXml, resolve, table, type Ctx } from './context';
import { OneError, actionError, allocateError, authorizationError, notFound } from '../errors';
import { withDb } from '../store/db';
import { backupJobXml } from '../xml/other-xml';
import { visible, authorize } from '../permissions';
import { spawnJob } from '../ops/jobs';
import { cancelJob, executeJob, requestBackupCancel, retryJob, startServing } from '../ops/backup-job';
import { now } from '../clock';
import type { BackupJob, Db } from '../store/types';
import { getValue, getVectors, removeAttr } from '../template/template';
import { addSchedActions, parseSchedAction } from '../ops/sched-action';
import { parseOrRefuse } from './onedatastore';
import { checkName } from './names';

export function onebackupjob(ctx: Ctx, argv: string[]): number {
  const [cmd, ...rest] = argv;
  const a = parseArgs(rest, [
    XML,
    { name: 'schedule', value: true },
    { name: 'weekly', value: true },
    { name: 'monthly', value: true },
    { name: 'yearly', value: true },
    { name: 'hourly', value: true },
    { name: 'end', value: true },
  ]);
  switch (cmd) {
    case 'create':
      return create(ctx, a);
    case 'list':
      return list(ctx, a);
    case 'show':
      return show(ctx, a);
    case 'backup':
      if (a.options.schedule !== undefined) return schedule(ctx, a);
      return run(ctx, a, cmd);
    case 'cancel':
    case 'retry':
      return run(ctx, a, cmd);
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
    text = readFileSync(callerPath(ctx, file), 'utf8');
  } catch {
    throw new OneError(`No such file or directory @ rb_sysopen - ${file}`);
  }
  if (!s.admin) throw authorizationError(M, s.uid, 'CREATE', 'BACKUPJOB');
  let t = parseOrRefuse(M, text);
  const name = getValue(t, 'NAME') ?? '';
  if (!name) throw allocateError(M, 'BACKUPJOB', 'No NAME in template.');
  checkName(M, 'BACKUPJOB', name);
  const priority = Number(getValue(t, 'PRIORITY') ?? 50);
  // SCHED_ACTION vectors become scheduled actions (ARGS dropped); one bad one creates nothing.
  const schedActions = getVectors(t, 'SCHED_ACTION').map((va) => {
    const sa = parseSchedAction(va.vector, 'BACKUPJOB', -1);
    if (typeof sa === 'string') throw actionError(M, sa);
    return sa;
  });
  t = removeAttr(removeAttr(removeAttr(t, 'NAME'), 'PRIORITY'), 'SCHED_ACTION');
  if (getValue(t, 'BACKUP_VMS') === undefined) t = [...t, { name: 'BACKUP_VMS', value: '' }];
  const id = withDb(ctx.paths, (d) => {
    const newId = d.nextId.backupjob++;
    const saIds = addSchedActions(
      d,
      schedActions.map((sa) => ({ ...sa, parentId: newId })),
    );
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
      outdatedVms: [],
      backingUpVms: [],
      errorVms: [],
      template: t,
      ...(saIds.length ? { schedActionIds: saIds } : {}),
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
  if (a.options.xml) printXml(ctx, backupJobXml(db, bj, true));
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

/** Backup Job IDs (comma lists, ranges, names) as the CLI's backupjobid_list takes them. */
function jobIds(db: Db, args: string[], method: string): number[] {
  if (!args.length) throw new OneError('one parameter to run');
  return args.flatMap((arg) =>
    arg.split(',').flatMap((part) => {
      const r = /^(\d+)\.\.(\d+)$/.exec(part);
      if (r) return Array.from({ length: Math.max(0, Number(r[2]) - Number(r[1]) + 1) }, (_, i) => Number(r[1]) + i);
      if (/^\d+$/.test(part)) return [Number(part)];
      return [resolve(db.backupjobs, part, 'BACKUPJOB', method, 'BACKUPJOB').id];
    }),
  );
}

/**
 * one.backupjob.backup | cancel | retry (MANAGE on the job), per job as perform_actions runs them:
 * each failure printed, the others still done. A job with VMs to back up gets a worker that plays
 * oned's scheduler, unless one serves it already.
 */
function run(ctx: Ctx, a: Parsed, verb: 'backup' | 'cancel' | 'retry'): number {
  const M = `one.backupjob.${verb}`;
  const { db, s } = login(ctx, M);
  let code = 0;
  for (const id of jobIds(db, a.positionals, M)) {
    try {
      const bj = db.backupjobs.find((j) => j.id === id);
      if (!bj) throw notFound(M, 'BACKUPJOB', id);
      authorize(s, M, bj, 'MANAGE', 'BACKUPJOB');
      const launch = withDb(ctx.paths, (d) => {
        const t = now(ctx.env);
        const job: BackupJob | undefined = d.backupjobs.find((j) => j.id === id);
        if (!job) throw notFound(M, 'BACKUPJOB', id);
        if (verb === 'cancel') {
          for (const vmId of cancelJob(job)) requestBackupCancel(d, vmId);
          return undefined;
        }
        if (verb === 'retry') retryJob(job);
        else {
          const err = executeJob(job, t);
          if (err) throw actionError(M, err);
        }
        return startServing(d, id, t);
      });
      if (launch) spawnJob(ctx.paths, { kind: 'backupjob', bjId: id, first: launch }, ctx.env);
    } catch (err) {
      if (!(err instanceof OneError)) throw err;
      ctx.err(err.message);
      code = 255;
    }
  }
  return code;
}

/** Ruby's Time#to_s: "2026-12-03 17:00:00 +0000" in local time. */
function rubyTime(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const zone = `${sign}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${zone}`;
}

/**
 * `onebackupjob backup <ids> --schedule TIME [--weekly|--monthly|--yearly D,D|--hourly H] [--end N|DATE]`:
 * the CLI builds `SCHED_ACTION = [TIME = .., REPEAT = .., DAYS = .., END_TYPE = .., END_VALUE = ..]`
 * (OpenNebulaHelper.schedule_action_tmpl) and calls one.backupjob.schedadd for each job.
 */
function schedule(ctx: Ctx, a: Parsed): number {
  const M = 'one.backupjob.schedadd';
  const o = a.options;
  const spec = String(o.schedule);
  let time: string;
  if (spec.startsWith('+')) time = spec;
  else if (spec === 'now') time = String(now(ctx.env));
  else if (/^\d+$/.test(spec)) time = spec;
  else {
    const ms = Date.parse(spec);
    if (Number.isNaN(ms)) throw new OneError(`Error parsing time spec: ${spec}`);
    time = String(Math.floor(ms / 1000));
  }
  const va: Record<string, string> = { TIME: time };
  // REPEAT 0 weekly, 1 monthly, 2 yearly, 3 hourly; the first option given wins, as in the CLI.
  const REPEATS = ['weekly', 'monthly', 'yearly', 'hourly'] as const;
  const periodic = REPEATS.findIndex((k) => o[k] !== undefined);
  const days = periodic === -1 ? undefined : o[REPEATS[periodic]!];
  if (days !== undefined) Object.assign(va, { REPEAT: String(periodic), DAYS: String(days) });
  if (typeof o.end === 'string') {
    const date = /^\d+$/.test(o.end) ? NaN : Date.parse(o.end);
    if (!Number.isNaN(date)) Object.assign(va, { END_TYPE: '2', END_VALUE: String(Math.floor(date / 1000)) });
    else if (Number(o.end) > 0) Object.assign(va, { END_TYPE: '1', END_VALUE: String(Math.trunc(Number(o.end))) });
  } else if (periodic !== -1) va.END_TYPE = '0';
  const message = /^\d+$/.test(time)
    ? `backup scheduled at ${rubyTime(Number(time))}`
    : `backup scheduled after ${time}s`;
  const { db, s } = login(ctx, M);
  for (const id of jobIds(db, a.positionals, M)) {
    const bj = db.backupjobs.find((j) => j.id === id);
    if (!bj) throw notFound(M, 'BACKUPJOB', id);
    authorize(s, M, bj, 'MANAGE', 'BACKUPJOB');
    const sa = parseSchedAction(va, 'BACKUPJOB', id);
    if (typeof sa === 'string') throw actionError(M, sa);
    withDb(ctx.paths, (d) => {
      const job = d.backupjobs.find((j) => j.id === id);
      if (!job) throw notFound(M, 'BACKUPJOB', id);
      job.schedActionIds = [...(job.schedActionIds ?? []), ...addSchedActions(d, [sa])];
    });
    ctx.out(`BACKUPJOB ${id}: ${message}`);
  }
  return 0;
}
