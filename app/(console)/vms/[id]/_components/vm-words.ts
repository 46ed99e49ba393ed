import type { Tone } from '@/app/_components/badge';

// OpenNebula's VM states in words, as Sunstone shows them: the LCM state for ACTIVE VMs (RUNNING,
// BACKUP, BACKUP_POWEROFF, RESTORE...), otherwise the VM state (POWEROFF, PENDING...).

type States = { state: string; lcmState: string };

export function stateWords(vm: States): string {
  if (vm.state !== 'ACTIVE') return vm.state;
  return vm.lcmState;
}

export function stateTone(vm: States): Tone {
  const s = stateWords(vm);
  if (s === 'RUNNING') return 'ok';
  if (s === 'BACKUP' || s === 'BACKUP_POWEROFF' || s === 'RESTORE') return 'info';
  if (/FAILURE|UNKNOWN|FAILED/.test(s)) return 'error';
  return 'muted';
}

/**
 * Which backup is the newest, as one string: the newest image and its last increment. It changes
 * when a backup adds an image or an increment, even when KEEP_LAST removed an older one meanwhile.
 */
export function latestBackupKey(
  images: readonly { imageId: number; links: readonly { incrementId: number }[] }[],
): string {
  let image = -1;
  let increment = -1;
  for (const i of images) {
    if (i.imageId < image) continue;
    image = i.imageId;
    increment = Math.max(-1, ...i.links.map((l) => l.incrementId));
  }
  return `${image}:${increment}`;
}
