import type { BackupJobStatus } from '@/lib/backup-jobs/status';
import { Badge, type Tone } from '@/app/_components/badge';

const LOOK: Record<BackupJobStatus, { tone: Tone; label: string; title: string }> = {
  error: { tone: 'error', label: 'Error', title: 'Some VMs could not be backed up (ERROR_VMS)' },
  running: { tone: 'info', label: 'Running', title: 'VMs are backing up now (BACKING_UP_VMS)' },
  outdated: { tone: 'warning', label: 'Outdated', title: 'VMs wait for their backup (OUTDATED_VMS)' },
  never: { tone: 'muted', label: 'Not run yet', title: 'The job has never run (LAST_BACKUP_TIME is 0)' },
  ok: { tone: 'ok', label: 'Completed', title: 'Every VM was backed up in the last run' },
};

export function JobStatusBadge({ status }: { status: BackupJobStatus }) {
  const l = LOOK[status];
  return (
    <Badge tone={l.tone} title={l.title} testId="backup-job-status">
      {l.label}
    </Badge>
  );
}
