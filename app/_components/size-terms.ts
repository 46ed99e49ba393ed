// One name for each size Backstone shows, with the one line that says what it measures: the same
// name means the same figure on every page, and two different figures never share a name.

export type SizeTerm = { label: string; hint: string };

export const SIZE_TERMS = {
  onDisk: {
    label: 'On disk',
    hint: 'What the repository folder takes on the backup server now (du): data, index, snapshots, locks.',
  },
  backupImages: {
    label: 'Backup images',
    hint: "The sum of the backup images' sizes as OpenNebula records them (SIZE of each image, in MB).",
  },
  restoreSize: {
    label: 'Restore size',
    hint: 'What restoring every snapshot would write (restic stats --mode restore-size): vm.xml included.',
  },
  snapshotSize: {
    label: 'Backed up',
    hint: "What this backup read from the VM's disks (restic's total_bytes_processed), else the increment's SIZE in OpenNebula.",
  },
  packedData: {
    label: 'Packed data',
    hint: 'The deduplicated, compressed data the snapshots refer to (restic stats --mode raw-data).',
  },
} as const satisfies Record<string, SizeTerm>;
