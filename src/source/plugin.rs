//! Mapping files written by otop's companion opencode plugin: `<data>/opencode/otop/<pid>.json`.

use std::collections::HashMap;
use std::path::Path;

/// Live state of one session as the plugin saw it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveState {
    /// `idle`, `busy` or `retry`.
    pub status: Option<String>,
    pub retry_attempt: Option<u32>,
    pub retry_message: Option<String>,
    /// Unix ms of the next retry.
    pub retry_next: Option<i64>,
    /// A pending permission: tool and pattern/command, e.g. `bash rm -rf build`.
    pub permission: Option<String>,
    /// A pending question's header.
    pub question: Option<String>,
    pub error: Option<String>,
    pub updated_at: Option<i64>,
}

/// One plugin file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PluginFile {
    pub pid: u32,
    /// Process start time, Unix ms, as the plugin read it.
    pub started_at: Option<i64>,
    pub version: Option<String>,
    /// Current top-level session of the process.
    pub session_id: Option<String>,
    pub sessions: HashMap<String, LiveState>,
    pub written_at: Option<i64>,
}

/// Reads every plugin file in `dir`, keyed by pid. Unreadable or malformed files are skipped.
pub fn read_dir(_dir: &Path) -> HashMap<u32, PluginFile> {
    HashMap::new()
}

/// Whether `file` belongs to the live process started at `started_at` (not a reused pid).
pub fn matches_process(_file: &PluginFile, _started_at: i64) -> bool {
    false
}
