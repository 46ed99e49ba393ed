import 'server-only';
import { existsSync } from 'node:fs';
import type { Config } from './index';

export type ConfigRow = { label: string; value: string; note?: string; status?: 'ok' | 'missing' };
export type ConfigSection = { title: string; rows: ConfigRow[] };

function fileRow(label: string, path: string | undefined, note?: string): ConfigRow {
  if (path === undefined) return { label, value: 'not set', note };
  return { label, value: path, note, status: existsSync(path) ? 'ok' : 'missing' };
}

/**
 * The effective configuration in words, for the home page. Paths only: the contents of the
 * identity, key and auth files are never read here.
 */
export function describeConfig(config: Config): ConfigSection[] {
  const fe = config.frontend;
  return [
    {
      title: 'OpenNebula front-end',
      rows: [
        fe.mode === 'local'
          ? { label: 'Reached by', value: 'running the OpenNebula CLI on this machine' }
          : { label: 'Reached by', value: `running the OpenNebula CLI over SSH on ${fe.host}` },
        fe.cliDir ? fileRow('CLI folder', fe.cliDir) : { label: 'CLI folder', value: 'found on PATH' },
        fileRow(
          'Service identity (ONE_AUTH file)',
          config.oneAuthFile,
          'used only after Backstone authorized a request',
        ),
        {
          label: 'Sunstone (BACKSTONE_SUNSTONE_URL)',
          value: config.sunstoneUrl ?? 'not set',
          note: config.sunstoneUrl
            ? 'the images and templates a restore made link there'
            : 'a restore shows the CLI command that shows what it made',
        },
      ],
    },
    {
      title: 'SSH to backup servers',
      rows: [
        fileRow('Client config', config.ssh.configFile, 'Host aliases: HostName, Port, User, IdentityFile'),
        fileRow('Identity (private key)', config.ssh.identityFile),
        fileRow('known_hosts (pinned host keys)', config.ssh.knownHostsFile),
        {
          label: 'OpenNebula root on backup servers',
          value: config.remoteRoot,
          note: 'where /var/tmp/one/... is found',
        },
      ],
    },
    {
      title: 'Backstone',
      rows: [
        fileRow('Data folder', config.dataDir, 'SQLite store, session secret, job logs'),
        config.localRestic
          ? fileRow('restic for S3 datastores (BACKSTONE_LOCAL_RESTIC)', config.localRestic, 'run on this machine')
          : {
              label: 'restic for S3 datastores',
              value: "the front-end's /var/lib/one/remotes/datastore/restic/restic, else restic on PATH",
              note: 'run on this machine, as OpenNebula runs it on the front-end for S3',
            },
        fileRow(
          'Restores of S3 datastores (BACKSTONE_LOCAL_RESTORE_DIR)',
          config.localRestoreDir,
          'restores onto disk and flattened downloads of S3 datastores, on this machine',
        ),
        {
          label: 'Long jobs per backup server',
          value: String(config.jobsPerServer),
          note: 'restores, checks and prunes running at once; the rest wait in the queue',
        },
        {
          label: 'Downloads',
          value: `${config.downloads.perUser} per user, ${config.downloads.perServer} per backup server`,
          note: `past either, 429 with Retry-After; a download unread for ${Math.round(config.downloads.idleMs / 1000)} s is aborted`,
        },
        {
          label: 'Prometheus metrics (GET /metrics)',
          // Whether a token is set, never the token.
          value: config.metricsToken ? 'on, bearer token set' : 'off (BACKSTONE_METRICS_TOKEN not set)',
        },
        {
          label: 'Front-end in an HA zone',
          value: config.oneServerId === undefined ? 'not set' : `SERVER_ID ${config.oneServerId}`,
          note: 'schedules and alerts run only while this front-end is the Raft leader (or the only one)',
        },
        {
          label: 'Alerts key',
          // Where the key comes from, never the key.
          value: config.alerts.key ? 'from BACKSTONE_ALERTS_KEY' : 'alerts-key in the data folder',
          note: 'seals the SMTP password and the webhook secret in the store',
        },
      ],
    },
  ];
}
