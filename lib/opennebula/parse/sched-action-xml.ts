import 'server-only';
import type { SchedAction } from '../models';
import { intAttr } from '../xml';

// SCHED_ACTION (shared.xsd): ScheduledAction::to_xml writes plain values, but a VM or Backup Job
// template read back may CDATA-wrap them; both arrive here as the vector's string children.

/** DAYS: comma-separated integers ("1,5"; hourly: the hours), in the order written. */
function days(text: string | undefined): number[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/** One SCHED_ACTION vector; undefined when it lacks the ID or TIME every stored action has. */
export function reshapeSchedAction(a: Record<string, string>): SchedAction | undefined {
  const id = intAttr(a, 'ID');
  const time = intAttr(a, 'TIME');
  if (id === undefined || time === undefined) return undefined;
  return {
    id,
    action: (a.ACTION ?? '').trim(),
    args: a.ARGS ?? '',
    time,
    repeat: intAttr(a, 'REPEAT') ?? -1,
    days: days(a.DAYS),
    endType: intAttr(a, 'END_TYPE') ?? -1,
    endValue: intAttr(a, 'END_VALUE') ?? -1,
    done: intAttr(a, 'DONE') ?? 0,
    message: a.MESSAGE ?? '',
  };
}

export function reshapeSchedActions(vectors: readonly Record<string, string>[] | undefined): SchedAction[] {
  return (vectors ?? []).map(reshapeSchedAction).filter((s): s is SchedAction => s !== undefined);
}
