//! Read-only access to opencode's SQLite database.
//!
//! opencode writes the file concurrently (WAL mode), so otop opens it read-only, never holds a
//! read transaction between calls (that would stop opencode's checkpoints and grow the WAL) and
//! builds its queries from the columns the file actually has.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, ffi};

mod cell;
mod day;
pub(crate) mod facts;
mod global_index;
mod history;
pub mod info;
pub(crate) mod json;
pub(crate) use json::cut_chars;
mod open;
pub mod prompts;
mod queries;
pub(crate) mod recent;
mod schema;
#[cfg(test)]
mod tests;
mod totals;
pub mod types;
mod unchanged;

use self::global_index::GlobalIndex;
use self::history::Anchor;
use self::open::{connect, needs_side_files, open_unwritable_dir, side_file};
use self::queries::Queries;
use self::schema::Columns;
use self::totals::TotalsState;
use self::types::{Candidate, Depth, HistoryItem, SessionFacts, TotalsPair};
use self::unchanged::Unchanged;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    #[error("no opencode database at {0} (set --db or OPENCODE_DB to point otop elsewhere)")]
    Missing(PathBuf),
    #[error("{path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },
}

/// Which sessions of the directories a candidates read looks at.
#[derive(Debug, Clone, Copy)]
pub(super) enum Within<'a> {
    /// Those filed under the directories' projects, and the `global` ones at these rowids.
    Projects { global: &'a [i64] },
    /// Those at these rowids, whatever their project.
    Rows(&'a [i64]),
}

/// One long-lived read-only connection; every read is its own short transaction.
pub struct Db {
    path: PathBuf,
    pub(crate) conn: Connection,
    pub(crate) cols: Columns,
    pub(crate) q: Queries,
    /// Device and inode of the file when opened: a connection keeps reading a deleted or
    /// replaced file, so the collector compares this to reopen the file now at `path`.
    identity: Option<(u64, u64)>,
    /// Opened `immutable` (a WAL database in a directory this user cannot write, with no
    /// `-wal` file: nothing was writing it). A writer that starts creates `-wal`, and the
    /// connection is then stale: an immutable one would never see its changes.
    immutable: bool,
    /// Per-session totals over messages before an anchor (see `history`).
    pub(crate) anchors: HashMap<String, Anchor>,
    pub(crate) totals_state: Option<TotalsState>,
    /// Rows skipped since the last [`Db::take_skipped`] for a value of the wrong type.
    skipped: std::cell::Cell<u64>,
    /// Where the `global` sessions are (loaded on first use), and the file it is kept in.
    global: Option<GlobalIndex>,
    global_file: Option<PathBuf>,
    /// The last answers of the per-refresh reads, kept while nothing was committed since.
    unchanged: Unchanged,
    /// What was read of the days of the sessions a view shows (`day.rs`).
    days: day::Days,
}

/// Every directory of `dirs` and each of its ancestors, with and without a trailing `/`: the
/// paths a project's `worktree` (or sandbox, or listed directory) may hold for its sessions to
/// be in one of `dirs`.
fn ancestors(dirs: &[&str]) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for d in dirs {
        let mut p = d.trim_end_matches('/');
        loop {
            out.insert(p.to_string());
            out.insert(format!("{p}/"));
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => break,
            }
        }
    }
    out.into_iter().collect()
}

/// How far before a process's start a session's `time_updated` may be and the session still
/// be asked for messages since that start: clock rounding between opencode's `Date.now()` and
/// the kernel's process start time.
pub const UPDATED_SLACK_MS: i64 = 2_000;

impl Db {
    pub fn open(path: &Path) -> Result<Db, DbError> {
        let unreadable = |reason: String| DbError::Unreadable {
            path: path.to_path_buf(),
            reason,
        };
        // Checked first: SQLite would otherwise happily treat a missing or empty file as an
        // empty database.
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(DbError::Missing(path.to_path_buf()));
            }
            Err(e) => return Err(unreadable(format!("cannot read: {e}"))),
        };
        if meta.is_dir() {
            return Err(unreadable("is a directory, not an SQLite database".into()));
        }
        if meta.len() == 0 {
            return Err(unreadable("empty file, not an SQLite database".into()));
        }
        // No header check of our own: opening and closing the file here would drop every POSIX
        // lock this process holds on it (an SQLite connection of the same process, as in tests
        // or an embedding program). SQLite reports a file that is not a database itself.
        let (conn, cols, immutable) = match connect(path, false) {
            Ok((conn, cols)) => (conn, cols, false),
            Err(e) if needs_side_files(&e) => {
                let (conn, cols) = open_unwritable_dir(path, &e)?;
                (conn, cols, true)
            }
            Err(e) => return Err(unreadable(reason(&e))),
        };
        if !cols.session_ok() {
            return Err(unreadable(
                "no session table: not an opencode database (or not migrated yet)".into(),
            ));
        }
        Ok(Db::from_parts(path, conn, cols, immutable))
    }

    fn from_parts(path: &Path, conn: Connection, cols: Columns, immutable: bool) -> Db {
        Db {
            path: path.to_path_buf(),
            identity: file_identity(path),
            immutable,
            q: Queries::build(&cols),
            conn,
            cols,
            anchors: HashMap::new(),
            totals_state: None,
            skipped: std::cell::Cell::new(0),
            global: None,
            global_file: None,
            unchanged: Unchanged::default(),
            days: day::Days::default(),
        }
    }

    /// Caps SQLite's page cache at a few pages, for a connection that reads a few hundred
    /// pages once (`otop status`): each cached page is a fresh 4 KiB allocation, and faulting
    /// that memory in costs more than reading a page again (500 page faults fell to 300, and
    /// the run from 5.3 to 4.4 ms, at 20 more page reads).
    pub fn read_once(&mut self) {
        let _ = self.conn.execute_batch("PRAGMA cache_size = 32");
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file at `path` is gone or another file than the one opened (deleted,
    /// restored from a backup, replaced by rename): the connection would show stale data.
    pub fn is_stale(&self) -> bool {
        file_identity(&self.path) != self.identity
            || self.immutable && side_file(&self.path, "-wal").exists()
    }

    /// Top-level and child sessions whose `directory` is one of `directories`, read through
    /// their projects, keyed by directory, most recently updated first, at most `limit` each.
    /// `messages_since` is left 0 and `last_message_at` None: they depend on each process's
    /// start, see [`Db::activity`]. Every session of those projects is read: see
    /// [`Db::recent_candidates_in`] for the cheaper read.
    pub fn candidates_in(
        &mut self,
        directories: &[&str],
        limit: usize,
    ) -> Result<HashMap<String, Vec<Candidate>>, DbError> {
        if directories.is_empty() {
            return Ok(HashMap::new());
        }
        let key = format!("{limit}\u{0}{}", directories.join("\u{0}"));
        self.unless_unchanged(
            |u| &mut u.candidates,
            key,
            |db| {
                let global = match db.q.global.is_some() {
                    true => db.global_rowids(directories)?,
                    false => Vec::new(),
                };
                let sql = db.q.candidates_in.clone();
                let rows =
                    db.candidate_rows(&sql, directories, Within::Projects { global: &global })?;
                Ok(newest_by_dir(rows, limit))
            },
        )
    }

    /// The rows of `sql` for `directories`, in no order: with `Within::Projects`,
    /// `candidates_in` (the `global` sessions' rowids given); with `Within::Rows`,
    /// `candidates_among` (only the rowids given).
    pub(super) fn candidate_rows(
        &mut self,
        sql: &str,
        directories: &[&str],
        within: Within,
    ) -> Result<Vec<Candidate>, DbError> {
        let dirs = to_json(&directories);
        self.read(|db| {
            let mut stmt = db.conn.prepare_cached(sql)?;
            // ?1 (messages since) is never after any message: counted per process instead.
            let rows = match within {
                Within::Projects { global } => stmt.query_map(
                    rusqlite::params![
                        i64::MAX,
                        dirs,
                        to_json(&ancestors(directories)),
                        to_json(&global)
                    ],
                    candidate_row,
                )?,
                Within::Rows(among) => stmt.query_map(
                    rusqlite::params![i64::MAX, dirs, to_json(&among)],
                    candidate_row,
                )?,
            };
            db.keep(rows)
        })
    }

    /// Fills `messages_since` and `last_message_at` of `candidates` with their messages
    /// created at or after `since` (one index range each). Only candidates updated at or after
    /// `since` (less [`UPDATED_SLACK_MS`]) are asked: opencode moves `session.time_updated` to
    /// at least the creation of every message it adds (seen in every version from 1.2 to 1.18),
    /// so an older session has none, and the cost follows the live sessions, not the history.
    pub fn activity(&mut self, candidates: &mut [Candidate], since: i64) -> Result<(), DbError> {
        for c in candidates.iter_mut() {
            if c.updated_at
                .or(c.created_at)
                .is_some_and(|u| u < since - UPDATED_SLACK_MS)
            {
                c.messages_since = 0;
                continue;
            }
            let (n, last) = self.read(|db| {
                let mut stmt = db.conn.prepare_cached(&db.q.activity_since)?;
                let r = stmt.query_row(rusqlite::params![c.id, since], |r| {
                    Ok((cell::int(r, 0)?, cell::int(r, 1)?))
                });
                Ok(db.keep_one(r)?.unwrap_or_default())
            })?;
            c.messages_since = u64::try_from(n.unwrap_or(0)).unwrap_or(0);
            if last.is_some() {
                c.last_message_at = last;
            }
        }
        Ok(())
    }

    /// One session by id (for the flag, log and plugin rules), or None if it does not exist.
    pub fn candidate(&mut self, id: &str, since: i64) -> Result<Option<Candidate>, DbError> {
        self.read(|db| {
            let mut stmt = db.conn.prepare_cached(&db.q.candidate)?;
            let mut rows = stmt.query_map(rusqlite::params![since, id], candidate_row)?;
            Ok(db.keep(rows.by_ref().take(1))?.pop())
        })
    }

    /// Child (subagent) sessions of the given parents, most recently updated first;
    /// `messages_since` counts all their messages.
    pub fn children(&mut self, parent_ids: &[String]) -> Result<Vec<Candidate>, DbError> {
        if parent_ids.is_empty() {
            return Ok(Vec::new());
        }
        // One JSON array parameter keeps a single cached statement for any number of parents.
        let ids = serde_json::to_string(parent_ids).unwrap_or_else(|_| "[]".into());
        self.read(|db| {
            let mut stmt = db.conn.prepare_cached(&db.q.children)?;
            let rows = stmt.query_map(rusqlite::params![0i64, ids], candidate_row)?;
            db.keep(rows)
        })
    }

    /// Full facts for the given sessions, in the order given; unknown ids are skipped.
    pub fn session_facts(&mut self, ids: &[String]) -> Result<Vec<SessionFacts>, DbError> {
        self.session_facts_to(ids, Depth::Full)
    }

    /// [`Db::session_facts`] read to `depth`.
    pub fn session_facts_to(
        &mut self,
        ids: &[String],
        depth: Depth,
    ) -> Result<Vec<SessionFacts>, DbError> {
        let key = format!("{depth:?}\u{0}{}", ids.join("\u{0}"));
        self.unless_unchanged(
            |u| &mut u.facts,
            key,
            |db| db.read(|db| db.read_facts(ids, depth)),
        )
    }

    /// The latest `limit` messages of a session, oldest first (detail view).
    pub fn history(&mut self, session_id: &str, limit: usize) -> Result<Vec<HistoryItem>, DbError> {
        self.read(|db| db.read_history(session_id, limit))
    }

    /// All-time and today's totals. Incremental: after the first call only new messages and
    /// those that were still being written are read; a new `local_midnight_ms` restarts today.
    pub fn totals(&mut self, local_midnight_ms: i64) -> Result<TotalsPair, DbError> {
        self.read(|db| db.read_totals(local_midnight_ms))
    }

    /// Runs one read; if the schema changed under us (a newer opencode migrated the file),
    /// rediscovers the columns and tries once more.
    fn read<T>(&mut self, f: impl Fn(&mut Db) -> rusqlite::Result<T>) -> Result<T, DbError> {
        match f(self) {
            Err(e) if is_schema_change(&e) => {
                self.rediscover()?;
                f(self).map_err(|e| self.unreadable(&e))
            }
            r => r.map_err(|e| self.unreadable(&e)),
        }
    }

    /// How many rows the reads since the last call skipped because a cell held a value of a
    /// type otop cannot read (see `cell.rs`); `otop doctor` reports it.
    pub fn take_skipped(&mut self) -> u64 {
        self.skipped.take()
    }

    /// The rows that decode; a row whose decoder met a bad value is skipped and counted.
    pub(crate) fn keep<T>(
        &self,
        rows: impl Iterator<Item = rusqlite::Result<T>>,
    ) -> rusqlite::Result<Vec<T>> {
        let mut out = Vec::new();
        for r in rows {
            if let Some(v) = self.keep_one(r)? {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// One row's result: None when there is no row, or when it held a bad value (counted).
    pub(crate) fn keep_one<T>(&self, r: rusqlite::Result<T>) -> rusqlite::Result<Option<T>> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) if cell::is_bad_value(&e) => {
                self.skipped.set(self.skipped.get().saturating_add(1));
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn rediscover(&mut self) -> Result<(), DbError> {
        self.conn.flush_prepared_statement_cache();
        self.cols = Columns::discover(&self.conn).map_err(|e| self.unreadable(&e))?;
        self.q = Queries::build(&self.cols);
        self.anchors.clear();
        self.days.clear();
        Ok(())
    }

    /// Runs one refresh's reads (`f`) in one read transaction: they see one state of the
    /// file, and each statement no longer takes and drops the WAL's read lock itself (a
    /// one-shot status made 34 transactions, two `fcntl` calls each). The transaction ends
    /// when `f` returns, a few milliseconds later: no snapshot outlives the call.
    pub fn one_snapshot<T>(
        &mut self,
        f: impl FnOnce(&mut Db) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        if !self.conn.is_autocommit() {
            return f(self);
        }
        self.conn
            .execute_batch("BEGIN")
            .map_err(|e| self.unreadable(&e))?;
        let r = f(self);
        // Read-only: nothing to commit; ending it is what matters.
        let _ = self.conn.execute_batch("ROLLBACK");
        r
    }

    fn unreadable(&self, e: &rusqlite::Error) -> DbError {
        DbError::Unreadable {
            path: self.path.clone(),
            reason: reason(e),
        }
    }
}

pub(crate) use self::cell::lossy;

/// A JSON array parameter: one cached statement serves any number of values.
pub(super) fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// `rows` keyed by directory, each directory's newest first (see [`newest_first`]), at most
/// `limit` each.
pub(super) fn newest_by_dir(
    mut rows: Vec<Candidate>,
    limit: usize,
) -> HashMap<String, Vec<Candidate>> {
    rows.sort_by(newest_first);
    let mut out: HashMap<String, Vec<Candidate>> = HashMap::new();
    for c in rows {
        let v = out
            .entry(c.directory.clone().unwrap_or_default())
            .or_default();
        if v.len() < limit {
            v.push(c);
        }
    }
    out
}

/// The order of a directory's candidates, whichever read found them: the most recently
/// updated first, then the highest id (opencode's ids grow with time); a session without an
/// update time after those with one, as SQLite orders NULL in `time_updated DESC`.
fn newest_first(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    a.directory
        .cmp(&b.directory)
        .then_with(|| b.updated_at.cmp(&a.updated_at))
        .then_with(|| b.id.cmp(&a.id))
}

/// Where a candidate's directory is among its columns (`Columns::candidate_columns`): the walk
/// for candidates looks at it before reading the rest of the row.
pub(super) const CANDIDATE_DIRECTORY: usize = 1;

fn candidate_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Candidate> {
    Ok(Candidate {
        id: cell::key(r, 0)?,
        directory: lossy(r, CANDIDATE_DIRECTORY)?,
        parent_id: lossy(r, 2)?,
        created_at: cell::int(r, 3)?,
        updated_at: cell::int(r, 4)?,
        has_permission: cell::int(r, 5)?.map(|n| n != 0),
        messages_since: cell::int(r, 6)?.unwrap_or(0).max(0) as u64,
        last_message_at: cell::int(r, 7)?,
    })
}

fn is_schema_change(e: &rusqlite::Error) -> bool {
    let s = e.to_string();
    s.contains("no such column") || s.contains("no such table")
}

/// A short human reason for an SQLite failure.
fn reason(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => "not an SQLite database".into(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            format!("database is corrupt or truncated ({e})")
        }
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            "database is busy (opencode is writing); will retry".into()
        }
        Some(rusqlite::ErrorCode::CannotOpen) => format!("cannot open ({e})"),
        Some(rusqlite::ErrorCode::PermissionDenied) => format!("permission denied ({e})"),
        _ if matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == ffi::SQLITE_IOERR_SHORT_READ) => {
            "database file is truncated".into()
        }
        _ => e.to_string(),
    }
}
