//! Mapping files written by otop's companion opencode plugin: `<data>/opencode/otop/<pid>.json`.
//!
//! Format 1, one file per opencode process, rewritten whole on each change (times Unix ms):
//! ```json
//! {"format": 1, "pid": 123, "started_at": 1795476437055, "opencode_version": "1.18.33",
//!  "session_id": "ses_…", "written_at": 1795476437100,
//!  "sessions": {"ses_…": {
//!     "status": "busy",                       // idle | busy | retry
//!     "retry": {"attempt": 3, "message": "…", "next": 1795476440000},
//!     "permission": {"id": "per_…", "tool": "bash", "pattern": "rm -rf build"},
//!     "question": {"id": "que_…", "header": "Colour", "questions": [{"question": "Which colour?",
//!                  "header": "Colour", "options": ["Red", "Blue"], "multiple": false, "custom": true}]},
//!     "error": "…", "updated_at": 1795476437090}},
//!  "channel": true}
//! ```
//! Every field but `format` and `pid` may be missing. `started_at` is the process start time
//! as the plugin read it, so otop can tell a reused pid from the process that wrote the file.
//! `channel`: the plugin listens for answers (`reply::channel`); the request ids (`id`) are
//! what it answers by. Plugins before otop's answers wrote neither.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::db::types::QuestionFacts;
use super::file::read_capped;

pub mod types;
pub use types::{LiveState, PluginFile};

/// The directory of the plugin's files, in opencode's data directory.
pub const DIR: &str = "otop";

/// Where the plugin in `process` writes its files and listens: `<data>/opencode/otop`, `<data>`
/// being `$XDG_DATA_HOME`, else `$HOME/.local/share`, in the process's environment (otop's own
/// where the process's cannot be read, as on macOS). The one rule, the plugin's
/// (`src/companion/otop.js`): the database does not move it (`OPENCODE_DB` moves the database
/// only).
pub fn dir_of(
    process: &crate::source::process::types::ProcessInfo,
    own: &crate::paths::Env,
) -> std::path::PathBuf {
    let (xdg, home) = match (&process.env.xdg_data_home, &process.env.home) {
        (None, None) => (own.xdg_data_home.as_deref(), own.home.as_deref()),
        (x, h) => (x.as_deref(), h.as_deref()),
    };
    crate::paths::opencode_data_dir(xdg, home).join(DIR)
}

/// The only format version this otop reads.
pub const FORMAT: u32 = 1;
/// How much earlier than the scanned start the plugin's recorded start may be (clock
/// rounding; on Linux the plugin reads the same kernel start time as otop).
const START_EARLY_MS: i64 = 2_000;
/// The largest plugin file read (they hold a few hundred bytes).
const MAX_FILE_BYTES: u64 = 64 << 10;
/// How much later it may be: where the plugin cannot read the kernel's start time it counts
/// from its runtime's start, which lags the process's by seconds on a loaded machine (2.2 s
/// seen with opencode 1.18). Never a reused pid: a process that reused the pid started after
/// the file's writer, so its file's start is *earlier* than the scanned one.
const START_LATE_MS: i64 = 30_000;

#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("malformed plugin file: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unsupported plugin file format {0}")]
    Format(u32),
}

#[derive(Deserialize)]
struct RawFile {
    format: u32,
    pid: u32,
    started_at: Option<i64>,
    opencode_version: Option<String>,
    session_id: Option<String>,
    written_at: Option<i64>,
    #[serde(default)]
    sessions: HashMap<String, RawSession>,
    #[serde(default)]
    channel: bool,
}

#[derive(Deserialize)]
struct RawSession {
    status: Option<String>,
    retry: Option<RawRetry>,
    permission: Option<RawPermission>,
    question: Option<RawQuestion>,
    error: Option<String>,
    updated_at: Option<i64>,
}

#[derive(Deserialize)]
struct RawRetry {
    attempt: Option<u32>,
    message: Option<String>,
    next: Option<i64>,
}

#[derive(Deserialize)]
struct RawPermission {
    id: Option<String>,
    tool: Option<String>,
    pattern: Option<String>,
}

#[derive(Deserialize)]
struct RawQuestion {
    id: Option<String>,
    header: Option<String>,
    #[serde(default)]
    questions: Vec<RawAsked>,
}

#[derive(Deserialize)]
struct RawAsked {
    #[serde(default)]
    question: String,
    header: Option<String>,
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    multiple: bool,
    #[serde(default = "yes")]
    custom: bool,
}

fn yes() -> bool {
    true
}

impl From<RawSession> for LiveState {
    fn from(s: RawSession) -> Self {
        let permission_id = s.permission.as_ref().and_then(|p| p.id.clone());
        let permission = s.permission.and_then(|p| {
            let parts: Vec<String> = [p.tool, p.pattern].into_iter().flatten().collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
        let (question_id, questions) = match &s.question {
            Some(q) => (q.id.clone(), q.questions.iter().map(asked).collect()),
            None => (None, Vec::new()),
        };
        let retry = s.retry;
        LiveState {
            status: s.status,
            retry_attempt: retry.as_ref().and_then(|r| r.attempt),
            retry_message: retry.as_ref().and_then(|r| r.message.clone()),
            retry_next: retry.as_ref().and_then(|r| r.next),
            permission,
            question: s.question.and_then(|q| q.header),
            permission_id,
            question_id,
            questions,
            error: s.error,
            updated_at: s.updated_at,
        }
    }
}

fn asked(q: &RawAsked) -> QuestionFacts {
    QuestionFacts {
        question: q.question.clone(),
        header: q.header.clone(),
        options: q.options.clone(),
        multiple: q.multiple,
        custom: q.custom,
    }
}

/// Parses one plugin file's text.
pub fn parse(text: &str) -> Result<PluginFile, PluginError> {
    let raw: RawFile = serde_json::from_str(text)?;
    if raw.format != FORMAT {
        return Err(PluginError::Format(raw.format));
    }
    Ok(PluginFile {
        pid: raw.pid,
        started_at: raw.started_at,
        version: raw.opencode_version,
        session_id: raw.session_id,
        sessions: raw
            .sessions
            .into_iter()
            .map(|(id, s)| (id, s.into()))
            .collect(),
        written_at: raw.written_at,
        channel: raw.channel,
    })
}

/// The pid a file name stands for: `<digits>.json` only.
fn pid_of(name: &str) -> Option<u32> {
    let digits = name.strip_suffix(".json")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Reads every plugin file in `dir`, keyed by pid (see [`read_file`]).
pub fn read_dir(dir: &Path) -> HashMap<u32, PluginFile> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return HashMap::new();
    };
    entries
        .flatten()
        .filter_map(|e| read_file(&e.path()).map(|f| (f.pid, f)))
        .collect()
}

/// The plugin file at `path`: None for another name than `<pid>.json`, an unreadable or
/// malformed file, or one whose content names another pid than its name (a half-copied file).
pub fn read_file(path: &Path) -> Option<PluginFile> {
    let pid = pid_of(path.file_name()?.to_str()?)?;
    let file = parse(&read_capped(path, MAX_FILE_BYTES).ok()?).ok()?;
    (file.pid == pid).then_some(file)
}

/// Whether `file` belongs to the live process started at `started_at` (not a reused pid).
pub fn matches_process(file: &PluginFile, started_at: i64) -> bool {
    file.started_at
        .is_some_and(|t| (-START_EARLY_MS..=START_LATE_MS).contains(&(t - started_at)))
}

/// The files written by live processes, given `(pid, start time)` of the processes running
/// now: a file whose pid is gone (left by a crash) or now belongs to a later process (a reused
/// pid) is ignored.
pub fn live(
    files: &HashMap<u32, PluginFile>,
    processes: impl IntoIterator<Item = (u32, i64)>,
) -> HashMap<u32, &PluginFile> {
    processes
        .into_iter()
        .filter_map(|(pid, started_at)| {
            files
                .get(&pid)
                .filter(|f| matches_process(f, started_at))
                .map(|f| (pid, f))
        })
        .collect()
}

#[cfg(test)]
mod tests;
