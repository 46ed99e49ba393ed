import type { JobStatus } from '@/lib/jobs';
import { Badge, type Tone } from '@/app/_components/badge';

const TONE: Record<JobStatus, Tone> = {
  queued: 'muted',
  running: 'info',
  succeeded: 'ok',
  failed: 'error',
  canceled: 'warning',
  interrupted: 'warning',
};

export function JobStatusBadge({ status }: { status: JobStatus }) {
  return (
    <Badge tone={TONE[status]} testId="job-status">
      {status}
    </Badge>
  );
}

export function ProgressBar({ percent }: { percent?: number }) {
  const pct = Math.max(0, Math.min(100, percent ?? 0));
  return (
    <div
      className="h-2 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-700"
      role="progressbar"
      aria-valuenow={Math.round(pct)}
      aria-valuemin={0}
      aria-valuemax={100}
    >
      <div className="h-full bg-brand-500 transition-[width]" style={{ width: `${pct}%` }} />
    </div>
  );
}
