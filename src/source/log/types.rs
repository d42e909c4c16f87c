//! Facts read from opencode's log files.

use std::collections::{HashMap, HashSet};

/// How a log run is identified.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RunKey {
    /// Up to 1.15: one file per process; the path of that file.
    File(String),
    /// From 1.17: the `run=<8 hex>` field of the shared `opencode.log`.
    Run(String),
}

/// What one opencode process wrote to its log, as far as otop cares.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRun {
    pub key: RunKey,
    /// Time of the run's first line, Unix ms.
    pub started_at: Option<i64>,
    /// `directory=` of the `creating instance` line.
    pub directory: Option<String>,
    /// Session ids named by the run, with the time they were last named (Unix ms).
    pub sessions: HashMap<String, i64>,
    /// Sessions created with a `parentID` (subagents): named, but never the run's own session.
    pub children: HashSet<String>,
    /// Time of the run's latest line, Unix ms (old runs of gone processes are forgotten).
    pub last_seen: Option<i64>,
    /// Session ids with a `stream error` line, with the time of the latest one.
    pub stream_errors: HashMap<String, i64>,
}

impl LogRun {
    pub fn new(key: RunKey) -> Self {
        LogRun {
            key,
            started_at: None,
            directory: None,
            sessions: HashMap::new(),
            children: HashSet::new(),
            last_seen: None,
            stream_errors: HashMap::new(),
        }
    }

    /// The session this run named last, if any; a top-level session wins over subagents
    /// (whose lines follow their parent's), which count only when nothing else was named.
    pub fn latest_session(&self) -> Option<&str> {
        let latest = |top_only: bool| {
            self.sessions
                .iter()
                .filter(|(id, _)| !top_only || !self.children.contains(*id))
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| a.0.cmp(b.0)))
                .map(|(id, _)| id.as_str())
        };
        latest(true).or_else(|| latest(false))
    }
}
