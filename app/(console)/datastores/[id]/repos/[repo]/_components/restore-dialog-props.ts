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
  /**
   * An S3 datastore's restores onto disk go to this folder on Backstone's machine (restic runs there
   * for S3); undefined for SFTP datastores, whose restores go to RESTIC_TMP_DIR on the backup server.
   */
  onBackstoneUnder?: string;
  /** The repository's lock count; undefined when withheld (a VM owner in a Backup Job's repository). */
  locks?: number;
};
