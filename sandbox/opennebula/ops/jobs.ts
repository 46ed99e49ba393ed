// Background work, as oned hands actions to its drivers and answers the caller at once: the CLI
// writes a job file and starts a worker (through startDaemon, so the PID is recorded); the worker
// runs the job and leaves the outcome in the state.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startDaemon } from '../../common/process';
import type { FrontendPaths } from '../paths';
import type { BackupRequest } from './backup-vm';
import type { RestorePlan } from './restore-image';
import type { Launch } from './backup-job';
import type { VmRestoreRequest } from './restore-vm';

export type Job =
  | { kind: 'backup'; request: BackupRequest }
  | { kind: 'backupjob'; bjId: number; first: Launch }
  | { kind: 'restore-vm'; request: VmRestoreRequest }
  | { kind: 'delete-image'; imageId: number }
  | { kind: 'restore-copy'; plan: RestorePlan }
  | { kind: 'monitor' };

export const WORKER_ARG = '__worker';

/**
 * Starts a worker for `job`. It keeps the caller's pinned clock (ONE_SANDBOX_NOW): the seed backs
 * VMs up "weeks ago" and the worker passes that moment to restic.
 */
export function spawnJob(paths: FrontendPaths, job: Job, callerEnv: NodeJS.ProcessEnv = process.env): number {
  mkdirSync(paths.jobsDir, { recursive: true });
  mkdirSync(paths.logDir, { recursive: true });
  const id = `${job.kind}-${Date.now()}-${randomUUID().slice(0, 8)}`;
  const file = join(paths.jobsDir, `${id}.json`);
  writeFileSync(file, JSON.stringify(job));
  return startDaemon(`one-worker ${job.kind}`, process.execPath, [paths.bundle, WORKER_ARG, file], {
    logFile: join(paths.logDir, 'worker.log'),
    env: {
      ...process.env,
      ...(callerEnv.ONE_SANDBOX_NOW === undefined ? {} : { ONE_SANDBOX_NOW: callerEnv.ONE_SANDBOX_NOW }),
      ONE_SANDBOX_STATE: paths.state,
    },
  });
}

export function takeJob(file: string): Job {
  const job = JSON.parse(readFileSync(file, 'utf8')) as Job;
  rmSync(file, { force: true });
  return job;
}
