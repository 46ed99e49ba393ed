'use client';

import { useActionState } from 'react';
import { ActionOutcome } from '@/app/_components/action-outcome';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import {
  INTERVAL_UNITS,
  intervalParts,
  MAX_STALE_AFTER_MINUTES,
  MAX_VERIFY_SUBSETS,
  type ScheduleView,
} from '@/lib/schemas/schedules';
import { setScheduleAction } from '../schedules/actions';
import { inputClass, primaryButton } from '@/app/_components/form-classes';

/** Changes one schedule of the datastore: on or off, how often, and its own settings. */
export function ScheduleForm({ datastoreId, schedule }: { datastoreId: number; schedule: ScheduleView }) {
  const [state, action, pending] = useActionState<ActionState, FormData>(setScheduleAction, IDLE);
  const { every, unit } = intervalParts(schedule.intervalSeconds);
  const k = schedule.kind;
  return (
    <form action={action} className="space-y-2 text-sm" data-testid={`schedule-form-${k}`}>
      <input type="hidden" name="datastoreId" value={datastoreId} />
      <input type="hidden" name="kind" value={k} />
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex items-center gap-1.5">
          <input
            type="checkbox"
            name="enabled"
            defaultChecked={schedule.enabled}
            data-testid={`schedule-enabled-${k}`}
          />
          On
        </label>
        <label className="flex items-center gap-1.5">
          every
          <input
            name="every"
            type="number"
            min={1}
            step={1}
            required
            defaultValue={every}
            className={`w-20 ${inputClass}`}
            data-testid={`schedule-every-${k}`}
          />
        </label>
        <select name="unit" defaultValue={unit} className={`w-28 ${inputClass}`} data-testid={`schedule-unit-${k}`}>
          {INTERVAL_UNITS.map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </select>
        {k === 'verify' && (
          <label className="flex items-center gap-1.5" title="Each run reads 1/N of the data: all of it every N runs.">
            N =
            <input
              name="subsets"
              type="number"
              min={1}
              max={MAX_VERIFY_SUBSETS}
              step={1}
              required
              defaultValue={schedule.subsets}
              className={`w-20 ${inputClass}`}
              data-testid="schedule-subsets"
            />
          </label>
        )}
        {k === 'lock-watch' && (
          <>
            <label
              className="flex items-center gap-1.5"
              title="A lock stale this long is raised on the panel and alerts (and is removed if allowed)."
            >
              alert when stale for
              <input
                name="staleAfterMinutes"
                type="number"
                min={0}
                max={MAX_STALE_AFTER_MINUTES}
                step={1}
                required
                defaultValue={Math.round((schedule.staleAfterSeconds ?? 0) / 60)}
                className={`w-20 ${inputClass}`}
                data-testid="schedule-stale-after"
              />
              min
            </label>
            <label className="flex items-center gap-1.5">
              <input
                type="checkbox"
                name="autoUnlock"
                defaultChecked={schedule.autoUnlock}
                data-testid="schedule-auto-unlock"
              />
              then remove it with <code>restic unlock</code>
            </label>
          </>
        )}
        <button type="submit" disabled={pending} className={primaryButton} data-testid={`schedule-save-${k}`}>
          {pending ? 'Saving…' : 'Save'}
        </button>
      </div>
      <ActionOutcome state={state} testId={`schedule-result-${k}`} />
    </form>
  );
}
