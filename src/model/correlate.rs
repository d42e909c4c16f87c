//! Which session each process runs: evidence combined, most certain first, one session per process.

use std::collections::HashMap;

use super::state::MatchRule;
use crate::source::db_types::Candidate;

/// Everything known about one process that could tie it to a session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    pub pid: u32,
    /// Process start time, Unix ms.
    pub started_at: i64,
    pub cwd: Option<String>,
    /// `-s/--session <id>` from argv.
    pub flag_session: Option<String>,
    /// Session id from a fresh companion-plugin file.
    pub plugin_session: Option<String>,
    /// The latest top-level session the process's log run named.
    pub log_session: Option<String>,
    /// Sessions of the process's cwd (top-level ones), from the database.
    pub candidates: Vec<Candidate>,
}

/// The session matched to a process and the rule that matched it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub session_id: String,
    pub rule: MatchRule,
}

/// Resolves all processes together so each session goes to at most one process.
pub fn correlate(_evidence: &[Evidence]) -> HashMap<u32, Matched> {
    HashMap::new()
}

/// The session id in `-s <id>`, `--session <id>` or `--session=<id>`.
pub fn session_flag(_argv: &[String]) -> Option<String> {
    None
}
