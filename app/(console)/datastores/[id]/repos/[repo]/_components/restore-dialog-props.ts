import type { BackupChain } from '@/lib/catalog';

// What the Restore button passes to the forms it opens (kept apart so the two do not import each other).
type Target = { id: number; name: string };

export type RestoreDialogProps = {
  datastoreId: number;
  repository: string;
  chain: BackupChain;
  imageDatastores: Target[];
  diskIds: number[];
  isAdmin: boolean;
  /** The repository's lock count; undefined when withheld (a VM owner in a Backup Job's repository). */
  locks?: number;
};
