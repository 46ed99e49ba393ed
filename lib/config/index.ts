import 'server-only';
import { homedir } from 'node:os';
import { isAbsolute, join, posix, resolve } from 'node:path';
import { z } from 'zod';

// The only reader of process.env. Everything Backstone needs to know about its surroundings is
// parsed here once, so a bad setting fails early with a clear message.

const optionalPath = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional()
  .refine((v) => v === undefined || isAbsolute(v), { message: 'must be an absolute path' });

/** An http(s) URL without credentials: it is put into links the browser follows. */
function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

const EnvSchema = z.object({
  BACKSTONE_DATA_DIR: optionalPath,
  BACKSTONE_ONE_CLI_DIR: optionalPath,
  BACKSTONE_ONE_SSH_HOST: z.string().trim().optional(),
  BACKSTONE_ONE_AUTH: optionalPath,
  BACKSTONE_SSH_CONFIG: optionalPath,
  BACKSTONE_SSH_IDENTITY: optionalPath,
  BACKSTONE_SSH_KNOWN_HOSTS: optionalPath,
  BACKSTONE_REMOTE_ROOT: optionalPath,
  BACKSTONE_LOCAL_RESTIC: optionalPath,
  BACKSTONE_LOCAL_RESTORE_DIR: optionalPath,
  BACKSTONE_SESSION_SECRET: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || v.length >= 32, { message: 'must be at least 32 characters' }),
  BACKSTONE_SECURE_COOKIES: z.enum(['auto', 'always', 'never']).optional(),
  BACKSTONE_TRUST_PROXY: z.enum(['0', '1']).optional(),
  BACKSTONE_JOBS_PER_SERVER: z
    .string()
    .regex(/^[1-9]\d?$/, 'must be an integer from 1 to 99')
    .optional(),
  BACKSTONE_DOWNLOADS_PER_USER: z
    .string()
    .regex(/^[1-9]\d?$/, 'must be an integer from 1 to 99')
    .optional(),
  BACKSTONE_DOWNLOADS_PER_SERVER: z
    .string()
    .regex(/^[1-9]\d?$/, 'must be an integer from 1 to 99')
    .optional(),
  BACKSTONE_DOWNLOAD_IDLE_SECONDS: z
    .string()
    .regex(/^[1-9]\d{0,3}$/, 'must be a whole number of seconds from 1 to 9999')
    .optional(),
  BACKSTONE_ALERTS_KEY: z
    .string()
    .trim()
    .optional()
    .refine((v) => v === undefined || v === '' || Buffer.from(v, 'base64').length === 32, {
      message: 'must be 32 bytes in base64 (e.g. from `openssl rand -base64 32`)',
    }),
  BACKSTONE_ONE_READ_CACHE_SECONDS: z
    .string()
    .regex(/^(\d{1,2})(\.\d{1,3})?$/, 'must be a number of seconds from 0 to 99 (0 turns the cache off)')
    .optional(),
  BACKSTONE_SUNSTONE_URL: z
    .string()
    .trim()
    .transform((v) => (v === '' ? undefined : v))
    .optional()
    .refine((v) => v === undefined || isHttpUrl(v), {
      message: 'must be an http(s) URL without a user or password, e.g. https://one.example.org/fireedge/sunstone',
    }),
  BACKSTONE_METRICS_TOKEN: z
    .string()
    .trim()
    .optional()
    .refine((v) => v === undefined || v === '' || v.length >= 16, { message: 'must be at least 16 characters' }),
  BACKSTONE_ONE_SERVER_ID: z
    .string()
    .trim()
    .regex(/^(\d{1,4})?$/, "must be the front-end's SERVER_ID from oned.conf (an integer from 0)")
    .optional(),
});

export type FrontendAccess =
  { mode: 'local'; cliDir: string | undefined } | { mode: 'ssh'; host: string; cliDir: string | undefined };

export type Config = {
  dataDir: string;
  frontend: FrontendAccess;
  /** File holding the service identity (user:password) for the OpenNebula CLI; never read here. */
  oneAuthFile: string;
  ssh: {
    /** OpenSSH client config honoured for Host aliases; undefined when there is none. */
    configFile: string | undefined;
    identityFile: string;
    knownHostsFile: string;
  };
  /** Prefix of OpenNebula's paths (/var/tmp/one/...) on backup servers; "/" on a real server. */
  remoteRoot: string;
  /**
   * The restic Backstone runs itself, for S3 datastores (the driver runs restic on the front-end
   * for S3). Unset: the front-end's /var/lib/one/remotes/datastore/restic/restic, else restic on PATH.
   */
  localRestic: string | undefined;
  /**
   * The only folder S3 datastores' restores onto disk go to, on this machine (where restic runs for
   * them), and where their disks are flattened for a download. Default: <dataDir>/restores.
   */
  localRestoreDir: string;
  /** Long-running jobs (restores, prune, check) at once per backup server. */
  jobsPerServer: number;
  /**
   * Downloads from backup servers (each holds a `restic dump` or `cat` there while it streams). Past
   * a limit a download is refused with 429 and Retry-After, never queued.
   */
  downloads: {
    /** At once per signed-in user, over all backup servers. */
    perUser: number;
    /** At once per backup server, over all users. */
    perServer: number;
    /** A download whose client has not read for this long (ms) is aborted and its command ended. */
    idleMs: number;
  };
  /**
   * How long an OpenNebula read (list/show of datastores, images, VMs, Backup Jobs) is reused, per
   * identity, in milliseconds; any write through Backstone forgets them all. 0: never reused.
   */
  oneReadCacheMs: number;
  /**
   * Where people open Sunstone (FireEdge), e.g. https://one.example.org/fireedge/sunstone, without a
   * trailing slash: what a restore made links there. Undefined: the CLI command to see it is shown.
   */
  sunstoneUrl: string | undefined;
  alerts: {
    /**
     * The AES-256-GCM key (32 bytes) that seals the alert channels' secrets in the store; when
     * absent one is generated into the data folder (0600). Never displayed.
     */
    key: Buffer | undefined;
  };
  session: {
    /** From the environment; when absent one is generated into the data folder. Never displayed. */
    secret: string | undefined;
    /** auto: Secure when the request came over https. */
    secureCookies: 'auto' | 'always' | 'never';
    /**
     * Whether X-Forwarded-For/-Proto/-Host come from a reverse proxy in front of Backstone. Off: the
     * TCP peer is the client, a forged X-Forwarded-For cannot dodge sign-in throttling, and a forged
     * X-Forwarded-Proto cannot make the session cookie Secure (server.js drops them all).
     */
    trustProxy: boolean;
  };
  /** Bearer token Prometheus sends to GET /metrics; undefined: /metrics is off. Never displayed. */
  metricsToken: string | undefined;
  /**
   * Which front-end of an HA zone Backstone's OpenNebula endpoint is: its FEDERATION/SERVER_ID in
   * oned.conf (the ID in `onezone show`'s SERVER_POOL). Unset on a single front-end.
   */
  oneServerId: number | undefined;
};

/** A few seconds: a page load's several reads, and quick reloads, share one CLI call each. */
export const DEFAULT_ONE_READ_CACHE_SECONDS = 3;

/**
 * Download limits: a person rarely needs more than two disks at once; six per server, with the two
 * jobs a server runs by default, fill the 8 channels of its bulk SSH connection without queueing.
 * A minute without a read is far longer than any browser pauses while it is still taking the file.
 */
export const DEFAULT_DOWNLOADS_PER_USER = 2;
export const DEFAULT_DOWNLOADS_PER_SERVER = 6;
export const DEFAULT_DOWNLOAD_IDLE_SECONDS = 60;

/** Internal, not an ExpectedError: a bad configuration stops the server at start, it is never a request's answer. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * An absolute folder path without '.', '..' or a trailing slash. (Not path.resolve: the build's file
 * tracing reads resolve() of a maybe-static path as a reference to the whole project folder.)
 */
function normalizedDir(path: string): string {
  return posix.normalize(path).replace(/(.)\/+$/, '$1');
}

export function parseConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid Backstone configuration: ${issues}`);
  }
  const e = parsed.data;
  const home = homedir();
  const sshHost = e.BACKSTONE_ONE_SSH_HOST === '' ? undefined : e.BACKSTONE_ONE_SSH_HOST;
  return {
    dataDir: e.BACKSTONE_DATA_DIR ?? resolve(cwd, '.data'),
    frontend: sshHost
      ? { mode: 'ssh', host: sshHost, cliDir: e.BACKSTONE_ONE_CLI_DIR }
      : { mode: 'local', cliDir: e.BACKSTONE_ONE_CLI_DIR },
    oneAuthFile: e.BACKSTONE_ONE_AUTH ?? join(home, '.one', 'one_auth'),
    ssh: {
      configFile: e.BACKSTONE_SSH_CONFIG,
      identityFile: e.BACKSTONE_SSH_IDENTITY ?? join(home, '.ssh', 'id_ed25519'),
      knownHostsFile: e.BACKSTONE_SSH_KNOWN_HOSTS ?? join(home, '.ssh', 'known_hosts'),
    },
    remoteRoot: e.BACKSTONE_REMOTE_ROOT ?? '/',
    localRestic: e.BACKSTONE_LOCAL_RESTIC,
    // Normalized: no trailing slash or '..', so a target's parent compares equal to it.
    localRestoreDir: normalizedDir(
      e.BACKSTONE_LOCAL_RESTORE_DIR ?? join(e.BACKSTONE_DATA_DIR ?? resolve(cwd, '.data'), 'restores'),
    ),
    jobsPerServer: e.BACKSTONE_JOBS_PER_SERVER ? Number(e.BACKSTONE_JOBS_PER_SERVER) : 2,
    downloads: {
      perUser: e.BACKSTONE_DOWNLOADS_PER_USER ? Number(e.BACKSTONE_DOWNLOADS_PER_USER) : DEFAULT_DOWNLOADS_PER_USER,
      perServer: e.BACKSTONE_DOWNLOADS_PER_SERVER
        ? Number(e.BACKSTONE_DOWNLOADS_PER_SERVER)
        : DEFAULT_DOWNLOADS_PER_SERVER,
      idleMs:
        (e.BACKSTONE_DOWNLOAD_IDLE_SECONDS
          ? Number(e.BACKSTONE_DOWNLOAD_IDLE_SECONDS)
          : DEFAULT_DOWNLOAD_IDLE_SECONDS) * 1000,
    },
    oneReadCacheMs: Math.round(
      (e.BACKSTONE_ONE_READ_CACHE_SECONDS
        ? Number(e.BACKSTONE_ONE_READ_CACHE_SECONDS)
        : DEFAULT_ONE_READ_CACHE_SECONDS) * 1000,
    ),
    sunstoneUrl: e.BACKSTONE_SUNSTONE_URL?.replace(/\/+$/, ''),
    alerts: { key: e.BACKSTONE_ALERTS_KEY ? Buffer.from(e.BACKSTONE_ALERTS_KEY, 'base64') : undefined },
    session: {
      secret: e.BACKSTONE_SESSION_SECRET || undefined,
      secureCookies: e.BACKSTONE_SECURE_COOKIES ?? 'auto',
      trustProxy: e.BACKSTONE_TRUST_PROXY === '1',
    },
    metricsToken: e.BACKSTONE_METRICS_TOKEN || undefined,
    oneServerId: e.BACKSTONE_ONE_SERVER_ID ? Number(e.BACKSTONE_ONE_SERVER_ID) : undefined,
  };
}

let cached: Config | undefined;

/** Forgets the parsed configuration so the next getConfig() reads the environment again (tests). */
export function resetConfigCache(): void {
  cached = undefined;
}

/** The effective configuration, parsed from the environment once per process. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

// Child processes get only these of Backstone's own variables (plus what a caller adds).
const CHILD_ENV_ALLOWLIST = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'USER', 'LOGNAME', 'TMPDIR'] as const;

/** The environment a local child process starts from: an allowlist, never Backstone's secrets. */
export function childEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of CHILD_ENV_ALLOWLIST) {
    const v = process.env[name];
    if (v !== undefined) env[name] = v;
  }
  return env;
}
