'use client';

import { useState } from 'react';
import {
  BACKUP_MODES,
  FS_FREEZE_MODES,
  INCREMENT_MODES,
  MAX_KEEP_LAST,
  VmBackupConfigSchema,
} from '@/lib/schemas/vm-actions';
import { backupConfigAction } from '../actions';
import { useRefreshingAction } from './use-refreshing-action';
import { inputClass, labelClass, Outcome, primaryButton } from './form-bits';

type Config = {
  mode: (typeof BACKUP_MODES)[number];
  incrementMode: (typeof INCREMENT_MODES)[number];
  keepLast: number;
  fsFreeze: (typeof FS_FREEZE_MODES)[number];
  backupVolatile: boolean;
};

const FREEZE_WORDS: Record<Config['fsFreeze'], string> = {
  NONE: 'None',
  AGENT: 'QEMU guest agent',
  SUSPEND: 'Suspend the VM',
};

/**
 * BACKUP_CONFIG as Sunstone's "Configure backups" edits it, checked with the same schema the
 * action uses before anything is sent; saved with `onevm updateconf -a`.
 */
export function BackupConfigForm({
  vmId,
  current,
  backupJobId,
}: {
  vmId: number;
  current: Config;
  backupJobId?: number;
}) {
  const [state, action, pending] = useRefreshingAction(backupConfigAction);
  const [mode, setMode] = useState(current.mode);
  const [errors, setErrors] = useState<Record<string, string[] | undefined>>({});
  const shown = state.status === 'invalid' ? { ...state.fieldErrors, ...errors } : errors;
  const error = (k: string) =>
    shown[k]?.[0] ? (
      <span className="mt-1 block text-xs text-red-600 dark:text-red-400" data-testid={`config-error-${k}`}>
        {shown[k]?.[0]}
      </span>
    ) : null;
  return (
    <form
      action={action}
      onSubmit={(e) => {
        const fd = new FormData(e.currentTarget);
        const r = VmBackupConfigSchema.safeParse(Object.fromEntries(fd));
        if (!r.success) {
          e.preventDefault();
          const fieldErrors: Record<string, string[]> = {};
          for (const issue of r.error.issues) {
            const k = String(issue.path[0] ?? 'form');
            (fieldErrors[k] ??= []).push(issue.message);
          }
          setErrors(fieldErrors);
        } else setErrors({});
      }}
      className="grid grid-cols-2 gap-3 px-4 py-3 text-sm"
      data-testid="backup-config-form"
    >
      <input type="hidden" name="vmId" value={vmId} />
      {backupJobId !== undefined && (
        <p className="col-span-2 text-xs text-slate-500">
          This VM is in Backup Job {backupJobId}: the job’s own settings apply to its backups.
        </p>
      )}
      <label className={labelClass}>
        Mode
        <select
          name="mode"
          value={mode}
          onChange={(e) => setMode(e.target.value as Config['mode'])}
          className={`mt-1 ${inputClass}`}
          data-testid="config-mode"
        >
          {BACKUP_MODES.map((m) => (
            <option key={m} value={m}>
              {m === 'FULL' ? 'Full' : 'Increment'}
            </option>
          ))}
        </select>
        {error('mode')}
      </label>
      <label className={labelClass}>
        Increment mode
        <select
          name="incrementMode"
          defaultValue={current.incrementMode}
          disabled={mode !== 'INCREMENT'}
          className={`mt-1 ${inputClass}`}
          data-testid="config-increment-mode"
        >
          {INCREMENT_MODES.map((m) => (
            <option key={m} value={m}>
              {m === 'CBT' ? 'CBT' : 'Snapshot'}
            </option>
          ))}
        </select>
        {error('incrementMode')}
      </label>
      <label className={labelClass}>
        Backups to keep (KEEP_LAST; empty keeps all)
        <input
          name="keepLast"
          inputMode="numeric"
          defaultValue={current.keepLast > 0 ? String(current.keepLast) : ''}
          placeholder="all"
          max={MAX_KEEP_LAST}
          className={`mt-1 ${inputClass}`}
          data-testid="config-keep-last"
        />
        {error('keepLast')}
      </label>
      <label className={labelClass}>
        FS freeze
        <select
          name="fsFreeze"
          defaultValue={current.fsFreeze}
          className={`mt-1 ${inputClass}`}
          data-testid="config-fs-freeze"
        >
          {FS_FREEZE_MODES.map((m) => (
            <option key={m} value={m}>
              {FREEZE_WORDS[m]}
            </option>
          ))}
        </select>
        {error('fsFreeze')}
      </label>
      <label className="col-span-2 flex items-center gap-2 text-xs">
        <input
          type="checkbox"
          name="backupVolatile"
          defaultChecked={current.backupVolatile}
          data-testid="config-backup-volatile"
        />
        Back up volatile disks (BACKUP_VOLATILE)
      </label>
      <div className="col-span-2 flex flex-wrap items-center gap-3">
        <button type="submit" className={primaryButton} disabled={pending} data-testid="config-save">
          {pending ? 'Saving…' : 'Save configuration'}
        </button>
        <Outcome state={state} testId="config-outcome" />
      </div>
    </form>
  );
}
