import { describe, expect, it } from 'vitest';
import { BackupJobActionSchema, BackupJobCancelSchema } from './backup-jobs';

describe('Backup Job forms', () => {
  it('take a canonical job ID, and Cancel the typed name', () => {
    expect(BackupJobActionSchema.parse({ jobId: '7' })).toEqual({ jobId: 7 });
    expect(BackupJobCancelSchema.parse({ jobId: '0', confirm: 'nightly' })).toEqual({ jobId: 0, confirm: 'nightly' });
  });

  it.each(['', '-1', '07', ' 7', '1e2', '0x7', '2147483648'])('refuse the job ID %j', (jobId) => {
    expect(BackupJobActionSchema.safeParse({ jobId }).success).toBe(false);
  });

  it('refuse a Cancel without a name, or with a name no job could have', () => {
    expect(BackupJobCancelSchema.safeParse({ jobId: '0' }).success).toBe(false);
    expect(BackupJobCancelSchema.safeParse({ jobId: '0', confirm: 'x'.repeat(257) }).success).toBe(false);
  });
});
