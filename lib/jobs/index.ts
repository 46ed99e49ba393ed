import 'server-only';
import { ensureRecovered, isCanceling } from './runner';
import { countActive, countByKindAndStatus, getJob as readJob, jobLog, listJobs as readJobs, type Job } from './store';

export {
  submitJob,
  cancelJob,
  JobCanceled,
  JobFailed,
  type JobContext,
  type JobResult,
  type Submission,
} from './runner';
export { FINISHED, type Job, type JobStatus } from './store';

/** Who may see a job: its author, and admins. */
export type JobReader = { username: string; isAdmin: boolean };

const withCanceling = (job: Job): Job => (isCanceling(job.id) ? { ...job, canceling: true } : job);

export function visibleJob(reader: JobReader, id: number): Job | undefined {
  ensureRecovered();
  const job = readJob(id);
  return job && (reader.isAdmin || job.actor === reader.username) ? withCanceling(job) : undefined;
}

export function visibleJobs(reader: JobReader, limit = 200): Job[] {
  ensureRecovered();
  return readJobs({ actor: reader.isAdmin ? undefined : reader.username, limit }).map(withCanceling);
}

export function activeJobCount(reader: JobReader): number {
  ensureRecovered();
  return countActive(reader.isAdmin ? undefined : reader.username);
}

/** Every stored job counted by kind and status (an admin's view: all actors), for /metrics. */
export function jobCounts() {
  ensureRecovered();
  return countByKindAndStatus();
}

export function visibleJobLog(reader: JobReader, id: number, afterSeq = -1) {
  return visibleJob(reader, id) ? jobLog(id, afterSeq) : undefined;
}
export { submitImageRestore, type ImageRestoreRequest } from './restore-image';
export { submitServerRestore, RestoreRefused, type ServerRestoreRequest } from './restore-server';
