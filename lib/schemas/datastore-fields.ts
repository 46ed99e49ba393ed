// What the wizard asks for, step by step: every attribute of OpenNebula's restic driver with the
// driver's own description and default (its password and environment, the restic options it
// derives, its CPU and I/O confinement, and its attribute validation).
// Shared by the wizard (client) and the server action; pure data.

export type WizardStep = 'general' | 'server' | 'repository' | 'limits' | 'preflight' | 'review';

export const WIZARD_STEPS: readonly { id: WizardStep; title: string }[] = [
  { id: 'general', title: 'General' },
  { id: 'server', title: 'Backup server' },
  { id: 'repository', title: 'Repository' },
  { id: 'limits', title: 'Performance and limits' },
  { id: 'preflight', title: 'Check backup server' },
  { id: 'review', title: 'Review' },
];

/** A step's title for the chosen backend: an S3 datastore has a bucket, not a backup server. */
export function stepTitle(step: WizardStep, backend: Backend): string {
  if (backend === 'S3' && step === 'server') return 'S3 bucket';
  if (backend === 'S3' && step === 'preflight') return 'Check the bucket';
  return WIZARD_STEPS.find((s) => s.id === step)?.title ?? step;
}

export type FieldKind = 'text' | 'integer' | 'select' | 'password' | 'checkbox' | 'secret';

/** Where the repositories live (RESTIC_BACKEND, OpenNebula 7.4 and later; SFTP before). */
export type Backend = 'SFTP' | 'S3';
export const BACKENDS: readonly Backend[] = ['SFTP', 'S3'];

export type WizardField = {
  /** The template attribute's name, also the input's `name`. */
  name: string;
  label: string;
  description: string;
  /** The driver's default, in words. */
  defaultText: string;
  kind: FieldKind;
  step: WizardStep;
  options?: readonly string[];
  placeholder?: string;
  unit?: string;
  /** Only for this backend: the wizard shows, checks and writes it only when that backend is chosen. */
  backend?: Backend;
  /** Shown beside the field (a risk the admin takes). */
  warning?: string;
};

/** Template attributes the wizard itself writes; custom attributes may not reuse them. */
export const FIXED_ATTRIBUTES = ['NAME', 'TYPE', 'DS_MAD', 'TM_MAD'] as const;

export const RESTIC_FIELDS: readonly WizardField[] = [
  {
    name: 'NAME',
    label: 'Name',
    description: 'The datastore name shown in OpenNebula. It may not contain & | : \\ " ; / \' # { } $ < >.',
    defaultText: 'required',
    kind: 'text',
    step: 'general',
    placeholder: 'RBackups',
  },
  {
    name: 'RESTIC_BACKEND',
    label: 'Where the repositories live',
    description:
      'SFTP: a backup server reached over SSH. S3: a bucket of an S3-compatible object store (AWS, MinIO, Ceph RGW); OpenNebula 7.4 and later. With S3 the repository path has no datastore ID, so each S3 datastore needs its own bucket.',
    defaultText: 'SFTP',
    kind: 'select',
    options: ['SFTP', 'S3'],
    step: 'general',
  },
  {
    name: 'RESTIC_SFTP_SERVER',
    label: 'Backup server',
    description:
      'Host name or IP address of the backup server. The hypervisors and the front-end reach it over SSH (sftp) as the user below; repositories live in /var/lib/one/datastores/<ID> there.',
    defaultText: 'required',
    kind: 'text',
    step: 'server',
    placeholder: 'backup.example.com',
    backend: 'SFTP',
  },
  {
    name: 'RESTIC_SFTP_USER',
    label: 'SSH user on the backup server',
    description: 'The account OpenNebula logs in as on the backup server. It must own /var/lib/one/datastores.',
    defaultText: 'oneadmin',
    kind: 'text',
    step: 'server',
    backend: 'SFTP',
  },
  {
    name: 'RESTIC_S3_ENDPOINT',
    label: 'S3 endpoint',
    description:
      'The URL of the S3 service, with http:// or https:// and the port if not the usual one, without a path. The front-end and the hypervisors reach it; restic for restores runs on the front-end.',
    defaultText: 's3.amazonaws.com (AWS, https)',
    kind: 'text',
    step: 'server',
    placeholder: 'https://s3.example.com',
    backend: 'S3',
  },
  {
    name: 'RESTIC_S3_BUCKET',
    label: 'Bucket',
    description:
      'The bucket that holds the repositories, one per VM ID (and job_<ID> per Backup Job). It must exist. Give every S3 datastore its own bucket: two datastores sharing one would mix their VMs.',
    defaultText: 'required',
    kind: 'text',
    step: 'server',
    placeholder: 'opennebula-backups',
    backend: 'S3',
  },
  {
    name: 'RESTIC_S3_ACCESS_KEY_ID',
    label: 'Access key ID',
    description: 'The access key of the S3 user that may list, read, write and delete in the bucket.',
    defaultText: 'required',
    kind: 'text',
    step: 'server',
    backend: 'S3',
  },
  {
    name: 'RESTIC_S3_SECRET_ACCESS_KEY',
    label: 'Secret access key',
    description:
      'The secret of that access key. It goes into the datastore template; Backstone never shows it back or logs it.',
    defaultText: 'required',
    kind: 'secret',
    step: 'server',
    backend: 'S3',
  },
  {
    name: 'RESTIC_S3_REGION',
    label: 'Region',
    description: 'The region the requests are signed for (AWS_DEFAULT_REGION). Most non-AWS services accept us-east-1.',
    defaultText: 'us-east-1',
    kind: 'text',
    step: 'server',
    placeholder: 'us-east-1',
    backend: 'S3',
  },
  {
    name: 'RESTIC_S3_FORCE_PATH_STYLE',
    label: 'Path-style bucket lookup',
    description:
      'Address the bucket as ENDPOINT/BUCKET instead of BUCKET.ENDPOINT (restic -o s3.bucket-lookup=path). MinIO, Ceph RGW and endpoints given by IP address usually need it.',
    defaultText: 'no',
    kind: 'checkbox',
    step: 'server',
    backend: 'S3',
  },
  {
    name: 'RESTIC_S3_CACERT',
    label: 'CA certificate file',
    description:
      'Absolute path of the CA certificate that signed the endpoint’s TLS certificate (restic --cacert), for a private CA. The file must exist on the front-end and on every hypervisor.',
    defaultText: 'the system’s CAs',
    kind: 'text',
    step: 'server',
    placeholder: '/etc/ssl/private-ca.pem',
    backend: 'S3',
  },
  {
    name: 'RESTIC_S3_INSECURE_TLS',
    label: 'Skip TLS certificate verification',
    description: 'restic --insecure-tls: the endpoint’s certificate is not checked at all.',
    defaultText: 'no',
    kind: 'checkbox',
    step: 'server',
    backend: 'S3',
    warning:
      'Anyone between the hosts and the endpoint can then read and change the backups and take the keys. Prefer a CA certificate file.',
  },
  {
    name: 'TOTAL_MB',
    label: 'Capacity',
    description:
      'The capacity OpenNebula reports for the datastore (its S3 monitor sums the backup images against it; a bucket has no size of its own).',
    defaultText: '1048576 (1 TiB)',
    kind: 'integer',
    step: 'server',
    unit: 'MB',
    backend: 'S3',
  },
  {
    name: 'RESTIC_PASSWORD',
    label: 'Repository password',
    description:
      "The password of every restic repository of this datastore. OpenNebula stores it encrypted. Keep a copy: without it no backup can be restored. It may not contain ' (the driver's scripts would break).",
    defaultText: 'required',
    kind: 'password',
    step: 'repository',
  },
  {
    name: 'RESTIC_COMPRESSION',
    label: 'Compression',
    description:
      'restic --compression for backups. Written in lower case: the driver silently ignores OFF, AUTO or MAX in capitals.',
    defaultText: 'auto',
    kind: 'select',
    options: ['auto', 'off', 'max'],
    step: 'repository',
  },
  {
    name: 'RESTIC_CONNECTIONS',
    label: 'SFTP connections',
    description: 'Parallel sftp connections restic opens for backup, restore and dump (-o sftp.connections).',
    defaultText: '5',
    kind: 'integer',
    step: 'limits',
    backend: 'SFTP',
  },
  {
    name: 'RESTIC_BWLIMIT',
    label: 'Bandwidth limit',
    description:
      'Upload and download limit of every restic command (--limit-upload, --limit-download), in KiB/s: 1024 is 1 MiB/s, 51200 is 50 MiB/s, 0 is unlimited.',
    defaultText: 'unlimited',
    kind: 'integer',
    step: 'limits',
    unit: 'KiB/s',
  },
  {
    name: 'RESTIC_MAXPROC',
    label: 'Maximum CPU threads',
    description: 'GOMAXPROCS for restic: how many CPU threads it may use. -1 leaves it unset.',
    defaultText: 'unset (all CPUs)',
    kind: 'integer',
    step: 'limits',
  },
  {
    name: 'RESTIC_NICE',
    label: 'CPU priority (nice)',
    description:
      'nice -n for the backup on the hypervisor, -19 (highest) to 19 (lowest); -1 means unset. Ignored when a systemd slice limit below is set.',
    defaultText: 'unset',
    kind: 'integer',
    step: 'limits',
  },
  {
    name: 'RESTIC_IONICE',
    label: 'I/O priority (ionice)',
    description:
      'ionice -c2 -n for the backup, 0 (highest) to 7 (lowest); -1 means unset. Ignored when a systemd slice limit below is set.',
    defaultText: 'unset',
    kind: 'integer',
    step: 'limits',
  },
  {
    name: 'RESTIC_MAX_RIOPS',
    label: 'Maximum read IOPS',
    description:
      'IOReadIOPSMax of the backup slice. Any slice limit runs backups with systemd-run --user, which needs the cpu, cpuset and io cgroup controllers delegated to oneadmin on every host.',
    defaultText: 'unset (-1)',
    kind: 'integer',
    step: 'limits',
  },
  {
    name: 'RESTIC_MAX_WIOPS',
    label: 'Maximum write IOPS',
    description: 'IOWriteIOPSMax of the backup slice (systemd user slice; needs cgroup delegation on the hosts).',
    defaultText: 'unset (-1)',
    kind: 'integer',
    step: 'limits',
  },
  {
    name: 'RESTIC_CPU_QUOTA',
    label: 'CPU quota',
    description: 'CPUQuota of the backup slice, in percent of one CPU: 50 is half a CPU, 200 is two CPUs.',
    defaultText: 'unset (-1)',
    kind: 'integer',
    step: 'limits',
    unit: '%',
  },
  {
    name: 'RESTIC_MEMORY_MAX_MB',
    label: 'Memory limit',
    description: 'MemoryMax of the backup slice, in MB (OpenNebula 7.4 and later).',
    defaultText: 'unset (-1)',
    kind: 'integer',
    step: 'limits',
    unit: 'MB',
  },
  {
    name: 'RESTIC_SPARSIFY',
    label: 'Sparsify flattened increments',
    description: 'Run virt-sparsify when increments are flattened (KEEP_LAST). Needs libguestfs on the backup server.',
    defaultText: 'no',
    kind: 'checkbox',
    step: 'limits',
  },
  {
    name: 'RESTIC_TMP_DIR',
    label: 'Restore staging folder',
    description: 'Absolute folder on the backup server where restores are staged before they are copied out.',
    defaultText: '/var/tmp',
    kind: 'text',
    step: 'limits',
    placeholder: '/var/tmp',
  },
  {
    name: 'RESTIC_PRUNE_MAX_UNUSED',
    label: 'Prune: maximum unused space',
    description:
      'restic forget --prune --max-unused when backups are deleted: a size with an optional unit (k, M, G, T), a percentage such as 5%, or unlimited.',
    defaultText: '0',
    kind: 'text',
    step: 'limits',
    placeholder: '0',
  },
  {
    name: 'RESTIC_PRUNE_MAX_REPACK',
    label: 'Prune: maximum repack size',
    description: 'restic --max-repack-size when pruning: a size with an optional unit (k, M, G, T).',
    defaultText: 'unlimited',
    kind: 'text',
    step: 'limits',
    placeholder: '10G',
  },
];

/** The fields the wizard shows, checks and writes for a backend. */
export function fieldsForBackend(backend: Backend): readonly WizardField[] {
  return RESTIC_FIELDS.filter((f) => f.backend === undefined || f.backend === backend);
}

/** The backend a form value names: S3 (any case), else SFTP (the driver's default). */
export function backendOf(value: string | undefined): Backend {
  return (value ?? '').trim().toUpperCase() === 'S3' ? 'S3' : 'SFTP';
}

export const FIELD_BY_NAME: ReadonlyMap<string, WizardField> = new Map(RESTIC_FIELDS.map((f) => [f.name, f]));

/** The slice limits: any of them makes the driver use a systemd user slice on the hypervisors. */
export const SLICE_LIMIT_FIELDS = [
  'RESTIC_MAX_RIOPS',
  'RESTIC_MAX_WIOPS',
  'RESTIC_CPU_QUOTA',
  'RESTIC_MEMORY_MAX_MB',
] as const;
