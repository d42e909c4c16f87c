//! Read-only access to opencode's SQLite database.

use std::path::{Path, PathBuf};

use super::db_types::{Candidate, HistoryItem, SessionFacts, TotalsPair};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no opencode database at {0} (set --db or OPENCODE_DB to point otop elsewhere)")]
    Missing(PathBuf),
    #[error("{path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },
}

/// One long-lived read-only connection; every read is its own short transaction.
pub struct Db {
    path: PathBuf,
}

impl Db {
    pub fn open(path: &Path) -> Result<Db, DbError> {
        Err(DbError::Missing(path.to_path_buf()))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Top-level and child sessions whose `directory` is `directory`, most recently
    /// updated first, at most `limit`; `messages_since` counts messages created at or after `since`.
    pub fn candidates(
        &mut self,
        _directory: &str,
        _since: i64,
        _limit: usize,
    ) -> Result<Vec<Candidate>, DbError> {
        Ok(Vec::new())
    }

    /// One session by id (for the flag, log and plugin rules), or None if it does not exist.
    pub fn candidate(&mut self, _id: &str, _since: i64) -> Result<Option<Candidate>, DbError> {
        Ok(None)
    }

    /// Child (subagent) sessions of the given parents, most recently updated first.
    pub fn children(&mut self, _parent_ids: &[String]) -> Result<Vec<Candidate>, DbError> {
        Ok(Vec::new())
    }

    /// Message history of a session, newest last.
    pub fn history(&mut self, _id: &str, _limit: usize) -> Result<Vec<HistoryItem>, DbError> {
        Ok(Vec::new())
    }

    /// All-time and today's totals, updated incrementally.
    pub fn totals(&mut self, _local_midnight_ms: i64) -> TotalsPair {
        TotalsPair::default()
    }

    /// Full facts for the given sessions, in the order given; unknown ids are skipped.
    pub fn session_facts(&mut self, _ids: &[String]) -> Result<Vec<SessionFacts>, DbError> {
        Ok(Vec::new())
    }
}

/// Where opencode keeps its database: `--db`, else `$OPENCODE_DB` (absolute, or relative to the
/// data directory), else `${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db`.
pub fn resolve_path(
    flag: Option<&Path>,
    opencode_db: Option<&str>,
    xdg_data_home: Option<&str>,
    home: Option<&str>,
) -> PathBuf {
    let data = data_dir(xdg_data_home, home);
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    match opencode_db.filter(|s| !s.is_empty()) {
        Some(p) if Path::new(p).is_absolute() => PathBuf::from(p),
        Some(p) => data.join(p),
        None => data.join("opencode.db"),
    }
}

/// opencode's data directory: `${XDG_DATA_HOME:-~/.local/share}/opencode`.
pub fn data_dir(xdg_data_home: Option<&str>, home: Option<&str>) -> PathBuf {
    let base = match xdg_data_home.filter(|s| !s.is_empty()) {
        Some(x) => PathBuf::from(x),
        None => PathBuf::from(home.unwrap_or("/")).join(".local/share"),
    };
    base.join("opencode")
}
