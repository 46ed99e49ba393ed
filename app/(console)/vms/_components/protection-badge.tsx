import type { ProtectionStatusName } from '@/lib/schemas/vms';
import { Badge, type Tone } from '@/app/_components/badge';

// A VM's protection status as a badge, its reason as the title: the same words on the VMs list and
// on a VM's page.

export const STATUS_WORDS: Record<ProtectionStatusName, { label: string; tone: Tone }> = {
  protected: { label: 'Protected', tone: 'ok' },
  overdue: { label: 'Overdue', tone: 'warning' },
  never: { label: 'Never backed up', tone: 'muted' },
  failed: { label: 'Failed', tone: 'error' },
  'backing-up': { label: 'Backing up', tone: 'info' },
};

export function ProtectionBadge({ status, reason }: { status: ProtectionStatusName; reason: string }) {
  return (
    <Badge tone={STATUS_WORDS[status].tone} title={reason} testId="vm-status">
      {STATUS_WORDS[status].label}
    </Badge>
  );
}
