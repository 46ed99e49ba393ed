// The schema, as an append-only list of migrations. PRAGMA user_version records how far a
// database has come; never edit a migration that has shipped, add a new one.

export type Migration = { version: number; name: string; sql: string };

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'caches of immutable restic facts',
    sql: `
      CREATE TABLE snapshot_meta (
        repo_key    TEXT NOT NULL,
        snapshot_id TEXT NOT NULL,
        data        TEXT NOT NULL,
        cached_at   INTEGER NOT NULL,
        PRIMARY KEY (repo_key, snapshot_id)
      ) WITHOUT ROWID;
      CREATE TABLE snapshot_files (
        repo_key    TEXT NOT NULL,
        snapshot_id TEXT NOT NULL,
        data        TEXT NOT NULL,
        cached_at   INTEGER NOT NULL,
        PRIMARY KEY (repo_key, snapshot_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'sessions, sign-in throttling and the audit log',
    sql: `
      CREATE TABLE sessions (
        sid          TEXT PRIMARY KEY,
        username     TEXT NOT NULL,
        user_id      INTEGER NOT NULL,
        is_admin     INTEGER NOT NULL,
        created_at   INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        ended_at     INTEGER
      );
      CREATE TABLE sign_in_failures (
        key           TEXT PRIMARY KEY,
        failures      INTEGER NOT NULL,
        window_start  INTEGER NOT NULL,
        locked_until  INTEGER
      );
      CREATE TABLE audit_log (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        at       INTEGER NOT NULL,
        actor    TEXT NOT NULL,
        action   TEXT NOT NULL,
        target   TEXT NOT NULL DEFAULT '',
        outcome  TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'refused')),
        detail   TEXT NOT NULL DEFAULT '',
        address  TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX audit_log_at ON audit_log (at DESC);
    `,
  },
  {
    version: 3,
    name: 'capacity samples of backup datastores',
    sql: `
      CREATE TABLE capacity_samples (
        datastore_id    INTEGER NOT NULL,
        at              INTEGER NOT NULL,
        total_bytes     INTEGER NOT NULL,
        used_bytes      INTEGER NOT NULL,
        available_bytes INTEGER NOT NULL,
        stored_bytes    INTEGER NOT NULL,
        PRIMARY KEY (datastore_id, at)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'datastore creation requests (one datastore per wizard submission)',
    sql: `
      CREATE TABLE datastore_create_requests (
        request_id   TEXT PRIMARY KEY,
        actor        TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        datastore_id INTEGER,
        error        TEXT
      );
    `,
  },
  {
    version: 5,
    name: 'repository stats by snapshot set',
    sql: `
      CREATE TABLE repository_stats (
        repo_key          TEXT PRIMARY KEY,
        snapshots_hash    TEXT NOT NULL,
        restore_size      INTEGER NOT NULL,
        raw_size          INTEGER NOT NULL,
        uncompressed_size INTEGER,
        computed_at       INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'jobs and their logs',
    sql: `
      CREATE TABLE jobs (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        kind          TEXT NOT NULL,
        title         TEXT NOT NULL,
        actor         TEXT NOT NULL,
        server_key    TEXT NOT NULL,
        params        TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled', 'interrupted')),
        runner        TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        started_at    INTEGER,
        finished_at   INTEGER,
        percent       REAL,
        bytes_done    INTEGER,
        bytes_total   INTEGER,
        eta_seconds   INTEGER,
        message       TEXT NOT NULL DEFAULT '',
        result        TEXT
      );
      CREATE INDEX jobs_status ON jobs (status);
      CREATE TABLE job_log (
        job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        seq    INTEGER NOT NULL,
        at     INTEGER NOT NULL,
        line   TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    name: 'restic check results per repository',
    sql: `
      CREATE TABLE check_results (
        id                INTEGER PRIMARY KEY AUTOINCREMENT,
        datastore_id      INTEGER NOT NULL,
        repository        TEXT NOT NULL,
        at                INTEGER NOT NULL,
        ok                INTEGER NOT NULL,
        read_data_percent REAL,
        errors            TEXT NOT NULL,
        job_id            INTEGER,
        actor             TEXT NOT NULL
      );
      CREATE INDEX check_results_repository ON check_results (datastore_id, repository, at DESC);
    `,
  },
  {
    version: 8,
    name: 'the OpenNebula login token of a session, kept server-side to revoke it',
    sql: `
      -- Sealed (AES-GCM with a key derived from the session secret); NULL once revoked or dead.
      ALTER TABLE sessions ADD COLUMN login_token TEXT;
      CREATE INDEX sessions_with_token ON sessions (expires_at) WHERE login_token IS NOT NULL;
      -- Per-name locks are gone: names are only slowed down now (lib/auth/throttle.ts).
      DELETE FROM sign_in_failures WHERE key LIKE 'user:%';
    `,
  },
  {
    version: 9,
    name: 'repository keys name the backup server with its port',
    // The server part of a repository key was "user@host"; it is now lib/exec's serverKey,
    // "user@host:port" (port empty when the target names none, as every key kept so far): the key
    // "user@host:/path" becomes "user@host::/path", so nothing cached has to be read again.
    sql: `
      UPDATE snapshot_meta SET repo_key = substr(repo_key, 1, instr(repo_key, ':/') - 1) || '::' || substr(repo_key, instr(repo_key, ':/') + 1)
        WHERE instr(repo_key, ':/') > 0;
      UPDATE snapshot_files SET repo_key = substr(repo_key, 1, instr(repo_key, ':/') - 1) || '::' || substr(repo_key, instr(repo_key, ':/') + 1)
        WHERE instr(repo_key, ':/') > 0;
      UPDATE repository_stats SET repo_key = substr(repo_key, 1, instr(repo_key, ':/') - 1) || '::' || substr(repo_key, instr(repo_key, ':/') + 1)
        WHERE instr(repo_key, ':/') > 0;
    `,
  },
  {
    version: 10,
    name: 'expected backup interval per backup datastore',
    // Set by an admin on the datastore page; a datastore without a row expects one backup a day.
    sql: `
      CREATE TABLE datastore_expected_intervals (
        datastore_id     INTEGER PRIMARY KEY,
        interval_seconds INTEGER NOT NULL CHECK (interval_seconds > 0),
        updated_at       INTEGER NOT NULL,
        updated_by       TEXT NOT NULL
      );
    `,
  },
  {
    version: 11,
    name: 'alerts: settings, channels with sealed secrets, conditions and the delivery history',
    sql: `
      -- One row: rule thresholds and the digest option, as JSON (lib/alerts/settings.ts parses it).
      CREATE TABLE alert_settings (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        data       TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
      -- The email and webhook channels; secret is AES-256-GCM sealed (lib/alerts/secret-box.ts).
      CREATE TABLE alert_channels (
        channel    TEXT PRIMARY KEY CHECK (channel IN ('email', 'webhook')),
        enabled    INTEGER NOT NULL,
        data       TEXT NOT NULL,
        secret     TEXT,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
      -- Each condition seen: pending until it has held long enough, then open until it clears.
      CREATE TABLE alert_conditions (
        key           TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,
        severity      TEXT NOT NULL,
        title         TEXT NOT NULL,
        detail        TEXT NOT NULL,
        href          TEXT NOT NULL,
        datastore_id  INTEGER,
        state         TEXT NOT NULL CHECK (state IN ('pending', 'open')),
        first_seen_at INTEGER NOT NULL,
        opened_at     INTEGER
      );
      -- Every message to every channel: the alert history.
      CREATE TABLE alert_deliveries (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at      INTEGER NOT NULL,
        channel         TEXT NOT NULL,
        event           TEXT NOT NULL CHECK (event IN ('opened', 'resolved', 'digest', 'test')),
        condition_key   TEXT NOT NULL,
        subject         TEXT NOT NULL,
        body            TEXT NOT NULL,
        payload         TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'retrying', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT NOT NULL DEFAULT '',
        last_attempt_at INTEGER,
        sent_at         INTEGER
      );
      CREATE INDEX alert_deliveries_due ON alert_deliveries (status) WHERE status IN ('queued', 'retrying');
      -- Small facts of the alert engine (when the last digest went out).
      CREATE TABLE alert_state (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 12,
    name: 'schedules of backup datastores (verify, prune, lock watch, capacity sample) and their runs',
    // A datastore without a row for a kind runs that kind with its defaults (lib/schedules/defaults.ts).
    // verify_next_subset is the n of the next `restic check --read-data-subset=n/N`; a verify run
    // records which subset each repository was read with in check_results.read_data_subset.
    sql: `
      CREATE TABLE datastore_schedules (
        datastore_id        INTEGER NOT NULL,
        kind                TEXT NOT NULL CHECK (kind IN ('verify', 'prune', 'lock-watch', 'capacity')),
        enabled             INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        interval_seconds    INTEGER NOT NULL CHECK (interval_seconds > 0),
        verify_subsets      INTEGER CHECK (verify_subsets IS NULL OR verify_subsets > 0),
        verify_next_subset  INTEGER CHECK (verify_next_subset IS NULL OR verify_next_subset > 0),
        stale_after_seconds INTEGER CHECK (stale_after_seconds IS NULL OR stale_after_seconds >= 0),
        auto_unlock         INTEGER NOT NULL DEFAULT 0 CHECK (auto_unlock IN (0, 1)),
        updated_at          INTEGER NOT NULL,
        updated_by          TEXT NOT NULL,
        PRIMARY KEY (datastore_id, kind)
      ) WITHOUT ROWID;
      CREATE TABLE schedule_runs (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        datastore_id INTEGER NOT NULL,
        kind         TEXT NOT NULL,
        trigger      TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
        actor        TEXT NOT NULL,
        started_at   INTEGER NOT NULL,
        ended_at     INTEGER,
        outcome      TEXT CHECK (outcome IS NULL OR outcome IN ('ok', 'failed', 'skipped', 'canceled', 'interrupted')),
        job_id       INTEGER,
        message      TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX schedule_runs_latest ON schedule_runs (datastore_id, kind, started_at DESC);
      CREATE INDEX schedule_runs_open ON schedule_runs (ended_at) WHERE ended_at IS NULL;
      CREATE TABLE stale_locks (
        datastore_id  INTEGER NOT NULL,
        repository    TEXT NOT NULL,
        lock_id       TEXT NOT NULL,
        hostname      TEXT NOT NULL,
        pid           INTEGER NOT NULL,
        lock_time     TEXT NOT NULL,
        exclusive     INTEGER NOT NULL,
        first_seen_at INTEGER NOT NULL,
        last_seen_at  INTEGER NOT NULL,
        PRIMARY KEY (datastore_id, repository, lock_id)
      ) WITHOUT ROWID;
      ALTER TABLE check_results ADD COLUMN read_data_subset TEXT;
    `,
  },
];
